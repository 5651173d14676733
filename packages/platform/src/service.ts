/**
 * Process lifecycle of a service: listen, then on SIGINT/SIGTERM (or when the launcher that started it goes away)
 * stop accepting requests, close resources (flushing PGlite to disk) and exit. A second signal exits at once.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "./logger.ts";

export interface Listening {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
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

export async function listen(handler: NodeHandler, port: number, host = "127.0.0.1"): Promise<Listening> {
  const server = createServer(answered(handler));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return {
    server,
    port: address.port,
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}

export interface Running {
  close(): Promise<void>;
}

/** Starts a service and keeps it until told to stop; start-up failures exit with code 1 and a clear message. */
export async function runService(name: string, log: Logger, start: () => Promise<Running>): Promise<void> {
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
    log.info({ reason }, `${name} stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    running.close().then(
      () => process.exit(0),
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
