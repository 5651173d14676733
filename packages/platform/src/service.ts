/**
 * Process lifecycle of a service: listen, then on SIGINT/SIGTERM (or when the launcher that started it goes away)
 * drain — stop accepting connections, finish the requests in flight (bounded by the grace, SHUTDOWN_GRACE_MS), answer
 * them with `Connection: close` so that keep-alive clients and load balancers go elsewhere, end event streams — then
 * close resources (flush the audit, close the database) and exit. A second signal exits at once.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "./logger.ts";
import { defaultShutdownGraceMs, type ShutdownOptions } from "./shutdownConfig.ts";

export interface Listening {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Drains: stops accepting, waits for the requests in flight (at most the grace), then closes every connection. */
  close(): Promise<void>;
}

/**
 * A node:http request listener. One may return a promise (graphql-yoga and whatwg-node server adapters do): `listen`
 * answers its rejection, as it does a throw.
 */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<unknown>;

/**
 * A handler that throws or rejects gets a 500 INTERNAL_SERVER_ERROR (no internals), or its connection closed if the
 * response had already begun, instead of an unanswered request and an unhandled rejection that ends the process.
 */
function answered(handler: NodeHandler): RequestListener {
  const failed = (response: ServerResponse, error: unknown) => {
    process.stderr.write(`request handler failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", http: { status: 500 } } }] };
    response.writeHead(500, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  };
  return (request, response) => {
    try {
      const result = handler(request, response);
      // Promise.resolve also adopts the promise-likes that whatwg-node returns on its fast paths.
      if (result !== undefined) Promise.resolve(result).catch((error: unknown) => failed(response, error));
    } catch (error) {
      failed(response, error);
    }
  };
}

/**
 * Serves `handler` on `port`. `shutdown.graceMs` bounds the drain at close(): the parts' main.ts pass SHUTDOWN_GRACE_MS
 * (loadShutdownConfig); without it, 2 s (servers inside tests and the development parts' own servers).
 */
export async function listen(handler: NodeHandler, port: number, host = "127.0.0.1", shutdown: Partial<ShutdownOptions> = {}): Promise<Listening> {
  const graceMs = shutdown.graceMs ?? 2000;
  const open = new Set<ServerResponse>();
  /** Responses to requests that asked for an event stream (followers send `Accept: text/event-stream`). */
  const streams = new WeakSet<ServerResponse>();
  let draining = false;
  let drained: (() => void) | undefined;
  const answer = answered(handler);
  const server = createServer((request, response) => {
    open.add(response);
    if (request.headers.accept?.includes("text/event-stream") === true) streams.add(response);
    response.once("close", () => {
      open.delete(response);
      if (open.size === 0) drained?.();
    });
    // Answered while draining: the client (or the load balancer) must not send its next request on this connection.
    if (draining) response.shouldKeepAlive = false;
    answer(request, response);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  let closing: Promise<void> | undefined;
  const drain = async () => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const response of open) {
      response.shouldKeepAlive = false;
      // An event stream (the register's, the revision stream) never finishes: end it, its client reconnects elsewhere.
      if (streams.has(response) || String(response.getHeader("content-type") ?? "").startsWith("text/event-stream")) response.end();
    }
    if (open.size > 0) {
      await new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, graceMs).unref();
      });
    }
    server.closeAllConnections();
    await closed;
  };
  return {
    server,
    port: address.port,
    url: `http://${shown}:${address.port}`,
    get inFlight() {
      return open.size;
    },
    close: () => (closing ??= drain()),
  };
}

export interface Running {
  close(): Promise<void>;
}

/**
 * Starts a service and keeps it until told to stop; start-up failures exit with code 1 and a clear message. On a
 * signal `running.close()` drains (listen's close) and closes resources; past the grace and 5 s more, the process
 * exits with code 1 whatever is left.
 */
export async function runService(name: string, log: Logger, start: () => Promise<Running>, shutdown: Partial<ShutdownOptions> = {}): Promise<void> {
  const graceMs = shutdown.graceMs ?? defaultShutdownGraceMs;
  let running: Running;
  try {
    running = await start();
  } catch (error) {
    log.fatal({ err: error }, `${name} failed to start`);
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info({ reason, graceMs }, `${name} stopping: draining requests in flight`);
    const force = setTimeout(() => {
      log.error({ graceMs }, `${name} did not stop within the grace; exiting`);
      process.exit(1);
    }, graceMs + 5000);
    force.unref();
    running.close().then(
      () => {
        log.info(`${name} stopped`);
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, `${name} did not stop cleanly`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // Started by `npm start` with an IPC channel: when the launcher dies, do not linger as an orphan.
  if (process.send !== undefined) process.on("disconnect", () => stop("launcher gone"));
}
