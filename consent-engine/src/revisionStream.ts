/**
 * GET /v1/revision/stream: Server-Sent Events. The first event is the current revision; then one `revision` event
 * per grant, revocation or expiry as soon as it commits (`id:` is the revision). A comment every 15 s keeps
 * proxies from closing an idle stream.
 */
import { randomUUID } from "node:crypto";
import type { RevisionEvent, RevisionFeed } from "./revisionFeed.ts";

/** @param heartbeatMs @default 15000 */
export function revisionStream(feed: RevisionFeed, current: number, signal: AbortSignal, heartbeatMs = 15_000): Response {
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
      const event = (e: RevisionEvent | { revision: number; change: "current"; at: string; subscriber: string }) =>
        send(`id: ${e.revision}\nevent: revision\ndata: ${JSON.stringify(e)}\n\n`);
      send("retry: 2000\n\n");
      // The subscriber id lets the follower acknowledge revisions it has applied (POST /v1/revision/ack).
      const subscriber = randomUUID();
      const untrack = feed.track(subscriber);
      event({ revision: Math.max(current, feed.latest), change: "current", at: new Date().toISOString(), subscriber });
      const unsubscribe = feed.subscribe(event);
      const timer = setInterval(() => send(": keep-alive\n\n"), heartbeatMs);
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
