/**
 * GET /v1/revision/stream: Server-Sent Events. The first event is the current revision, with the subscriber id the
 * follower acknowledges with (POST /v1/revision/ack), the heartbeat period and the deadline (`staleAfterMs`) after
 * which the follower must treat the stream as down and use no cached answer. Then one `revision` event per grant,
 * revocation or expiry as soon as it commits (`id:` is the revision), and a `heartbeat` event carrying the latest
 * revision every `heartbeatMs`: a follower acknowledges each, and each confirmed acknowledgement keeps its cache
 * usable for `staleAfterMs` more (@ndx/platform revisionFollowers.ts). A stream that stalls without closing thus turns the
 * follower's cache off within the deadline, and the engine knows when.
 */
import { randomUUID } from "node:crypto";
import type { RevisionHeartbeat, RevisionStreamEvent } from "@ndx/contracts";
import type { RevisionFeed } from "./revisionFeed.ts";

export function revisionStream(feed: RevisionFeed, current: number, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let cleanup = () => undefined as void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      // The data of each event is the wire contract the gateway's follower checks it against (@ndx/contracts).
      const event = (e: RevisionStreamEvent) => send(`id: ${e.revision}\nevent: revision\ndata: ${JSON.stringify(e)}\n\n`);
      send("retry: 2000\n\n");
      const subscriber = randomUUID();
      const untrack = feed.track(subscriber);
      const { heartbeatMs, staleAfterMs } = feed;
      event({ revision: Math.max(current, feed.latest), change: "current", at: new Date().toISOString(), subscriber, heartbeatMs, staleAfterMs });
      const unsubscribe = feed.subscribe(event);
      const beat = (): RevisionHeartbeat => ({ revision: feed.latest, at: new Date().toISOString() });
      const heartbeat = () => send(`event: heartbeat\ndata: ${JSON.stringify(beat())}\n\n`);
      const timer = setInterval(heartbeat, heartbeatMs);
      cleanup = () => {
        clearInterval(timer);
        unsubscribe();
        untrack();
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
