/**
 * A stand-in for the consumer applications' callback pages (passport-app at localhost:5173, benefits-app at
 * localhost:5174): a real HTTP server on a free port that records every callback it receives. The browser reaches
 * it at the registered URI through Chromium's --host-rules, so nothing is intercepted and no fixed port is taken.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ConsumerApp {
  readonly port: number;
  /** Every callback URL as the browser asked for it (with the registered host and port). */
  readonly received: URL[];
  /** Chromium --host-rules entries sending the registered callback hosts here. */
  readonly hostRules: string;
  close(): Promise<void>;
}

export async function startConsumerApp(): Promise<ConsumerApp> {
  const received: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    if (url.pathname !== "/callback") {
      res.writeHead(404).end(); // e.g. the browser's favicon request
      return;
    }
    received.push(url);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>Consumer application</title><h1>Back at the application</h1>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    received,
    hostRules: `MAP localhost:5173 127.0.0.1:${port}, MAP localhost:5174 127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
