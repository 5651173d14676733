/**
 * `GET /v1/register` (the whole register at its revision), `GET /v1/register/stream` (Server-Sent Events: the
 * current revision with the stream's periods and the follower's subscriber id, then one `revision` event per committed
 * change and a `heartbeat` every `heartbeatMs`) and `POST /v1/register/ack` (a follower holds a revision; confirmed
 * when it is the latest), all for followers holding `Authorization: Bearer <EXCHANGE_SERVICE_TOKEN>`, compared in
 * constant time. The followers and their acknowledgements are kept by @ndx/platform's revisionFollowers, and
 * `settled(revision)` resolves once a change holds on every follower (a tightening change answers only then). A client that does not read is never queued more than `maxQueuedEvents`: further events are skipped (every
 * heartbeat carries the revision, so a follower that reads again catches up), and after `maxSkippedEvents` in a row it
 * is dropped. While the revision feed is not live (its LISTEN connection lost), no heartbeat is sent. `close()` ends every
 * open stream (shutdown).
 */
import { randomUUID } from "node:crypto";
import { registerAck, type RegisterAckAnswer, type RegisterRevision } from "@ndx/contracts";
import { bearerRequired, createRevisionFollowers, endpointError, methodNotAllowed, serviceTokenCheck, type Db, type Logger, type Settlement } from "@ndx/platform";
import { readRevision, type Revision, type RevisionFeed } from "../storage/revisions.ts";
import { readRegister } from "./registerDocument.ts";

export interface RegisterEndpointsOptions {
  readonly db: Db;
  readonly revisions: RevisionFeed;
  /** The followers' credential. */
  readonly token: string;
  readonly logger: Logger;
  /** @default 250 */
  readonly heartbeatMs?: number;
  /** Announced on the first event: a follower's register is stale once its last confirmed acknowledgement was sent this long ago. @default 1000 */
  readonly staleAfterMs?: number;
  /**
   * Other exchange processes share the database (PostgreSQL): an acknowledgement is compared with the database's
   * revision, and a change waits the whole `staleAfterMs` for their followers, which this process cannot see. @default false
   */
  readonly otherInstances?: boolean;
  /** Events held for a client that does not read. @default 16 */
  readonly maxQueuedEvents?: number;
  /** Events skipped in a row before such a client is dropped. @default 40 */
  readonly maxSkippedEvents?: number;
}

export const registerPath = "/v1/register";
export const registerStreamPath = "/v1/register/stream";
const registerAckPath = "/v1/register/ack";

export function createRegisterEndpoints(options: RegisterEndpointsOptions) {
  const { db, revisions, logger, heartbeatMs = 250, staleAfterMs = 1000, maxQueuedEvents = 16, maxSkippedEvents = 40 } = options;
  const holdsToken = serviceTokenCheck(options.token);
  const open = new Set<() => void>();
  const encoder = new TextEncoder();
  const otherInstances = options.otherInstances ?? false;
  const followers = createRevisionFollowers({ staleAfterMs, otherInstances });

  async function acknowledge(request: Request): Promise<Response> {
    const ack = registerAck.parse(await request.json().catch(() => undefined));
    if (!ack.ok) return endpointError("BAD_USER_INPUT", `an acknowledgement is {subscriber, revision}: ${ack.problem}`);
    // With other processes, the database's revision: one of them may have committed a change this one has not heard of.
    const latest = Math.max(revisions.latest().revision, otherInstances ? (await readRevision(db)).revision : 0);
    const answer = followers.acknowledge(ack.value.subscriber, ack.value.revision, latest);
    if (answer === undefined) return endpointError("NOT_FOUND", "no such register stream subscriber (reconnect)");
    const body: RegisterAckAnswer = { confirmed: answer.confirmed, latest, staleAfterMs };
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  }

  function stream(): Response {
    let end = () => undefined as void;
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          let skipped = 0;
          let ended = false;
          const send = (event: "revision" | "heartbeat", data: RegisterRevision) => {
            if (ended) return;
            if ((controller.desiredSize ?? 1) <= 0) {
              skipped += 1;
              if (skipped >= maxSkippedEvents) {
                logger.warn({ skipped }, "a register stream client stopped reading; dropped");
                end();
                controller.error(new Error("the client stopped reading"));
              }
              return;
            }
            skipped = 0;
            controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
          };
          const onRevision = (r: Revision) => send("revision", { revision: r.revision, at: r.at });
          const unsubscribe = revisions.subscribe(onRevision);
          const subscriber = randomUUID();
          const untrack = followers.track(subscriber, revisions.latest().revision);
          const heartbeat = setInterval(() => {
            // No heartbeat while this process may be missing changes: its followers go stale rather than trust it.
            if (revisions.live()) send("heartbeat", { revision: revisions.latest().revision, at: new Date().toISOString() });
          }, heartbeatMs);
          end = () => {
            if (ended) return;
            ended = true;
            clearInterval(heartbeat);
            unsubscribe();
            untrack();
            open.delete(close);
          };
          const close = () => {
            end();
            try {
              controller.close();
            } catch {
              // already closed or errored
            }
          };
          open.add(close);
          send("revision", { ...revisions.latest(), heartbeatMs, staleAfterMs, subscriber });
        },
        cancel() {
          end();
        },
      },
      { highWaterMark: maxQueuedEvents },
    );
    return new Response(body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
    });
  }

  const plugin = {
    async onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (url.pathname !== registerPath && url.pathname !== registerStreamPath && url.pathname !== registerAckPath) return;
      const method = url.pathname === registerAckPath ? "POST" : "GET";
      if (request.method !== method) return endResponse(methodNotAllowed(method));
      if (!holdsToken(request)) {
        return endResponse(bearerRequired("the register needs Authorization: Bearer <EXCHANGE_SERVICE_TOKEN>"));
      }
      if (url.pathname === registerStreamPath) return endResponse(stream());
      if (url.pathname === registerAckPath) return endResponse(await acknowledge(request));
      endResponse(Response.json(await readRegister(db), { headers: { "cache-control": "no-store" } }));
    },
  };

  return {
    plugin,
    /** Open streams now (for metrics and tests). */
    openStreams: () => open.size,
    /**
     * Resolves once `revision` holds on every follower: each acknowledged it or passed the deadline after which it
     * can no longer trust what it holds (with other instances, the whole deadline). A tightening change answers then.
     */
    settled: (revision: number): Promise<Settlement> => followers.settled(revision),
    /** Ends every open stream: before the HTTP server closes, which waits for open responses. */
    close() {
      for (const close of [...open]) close();
    },
  };
}

export type RegisterEndpoints = ReturnType<typeof createRegisterEndpoints>;
