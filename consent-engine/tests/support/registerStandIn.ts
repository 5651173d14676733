/**
 * A stand-in for the exchange's register (subgraphs/exchange), speaking its contract over real HTTP on a free port:
 * `GET /v1/register` (the whole register at its revision) and `GET /v1/register/stream` (SSE: a first `revision` event
 * with `heartbeatMs` and `staleAfterMs`, a `revision` event per change, `heartbeat` events), both behind the bearer
 * token. Tests change the register, stall the stream (connections kept open, nothing sent) or break the register.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exchangeRegister, type ExchangeRegister, type RegisterApplication } from "@ndx/contracts";

export interface RegisterStandIn {
  readonly url: string;
  readonly token: string;
  /** The register as served now. */
  readonly register: ExchangeRegister;
  /** How many times GET /v1/register was answered. */
  readonly fetches: number;
  /** Commits a change: the next revision, announced on every open stream. */
  change(update: (applications: RegisterApplication[]) => RegisterApplication[]): ExchangeRegister;
  /** Announces the next revision but serves, for it, a register that breaks the contract (until the next change). */
  corrupt(): void;
  /** Sends nothing more (no events, no heartbeats) and answers GET /v1/register with 503, connections kept open. */
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export interface RegisterStandInOptions {
  readonly register: ExchangeRegister;
  /** @default 50 */
  readonly heartbeatMs?: number;
  /** @default 300 */
  readonly staleAfterMs?: number;
}

export const registerToken = "test-exchange-service-token-0123";

export async function startRegisterStandIn(options: RegisterStandInOptions): Promise<RegisterStandIn> {
  const heartbeatMs = options.heartbeatMs ?? 50;
  const staleAfterMs = options.staleAfterMs ?? 300;
  let register: ExchangeRegister = structuredClone(options.register) as ExchangeRegister;
  if (!exchangeRegister.is(register)) throw new Error(`stand-in register: ${exchangeRegister.problem(register)}`);
  let fetches = 0;
  let served: unknown;
  let stalled = false;
  const streams = new Set<ServerResponse>();
  const send = (res: ServerResponse, event: string, data: object) => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const at = () => new Date().toISOString();

  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${registerToken}`) return void res.writeHead(401).end();
    if (req.url === "/v1/register") {
      if (stalled) return void res.writeHead(503).end();
      fetches += 1;
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify(served ?? register));
    }
    if (req.url === "/v1/register/stream") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      streams.add(res);
      req.on("close", () => streams.delete(res));
      if (!stalled) send(res, "revision", { revision: register.revision, at: at(), heartbeatMs, staleAfterMs });
      return;
    }
    res.writeHead(404).end();
  });
  const beat = setInterval(() => {
    if (stalled) return;
    for (const res of streams) send(res, "heartbeat", { revision: register.revision, at: at() });
  }, heartbeatMs);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    token: registerToken,
    get register() {
      return register;
    },
    get fetches() {
      return fetches;
    },
    change(update) {
      const applications = update(structuredClone([...register.applications]) as RegisterApplication[]);
      register = { revision: register.revision + 1, at: at(), applications };
      if (!exchangeRegister.is(register)) throw new Error(`stand-in register: ${exchangeRegister.problem(register)}`);
      served = undefined;
      if (!stalled) for (const res of streams) send(res, "revision", { revision: register.revision, at: register.at });
      return register;
    },
    corrupt() {
      register = { ...register, revision: register.revision + 1, at: at() };
      served = { revision: register.revision, at: register.at, applications: [{ id: "half-an-application" }] };
      if (!stalled) for (const res of streams) send(res, "revision", { revision: register.revision, at: register.at });
    },
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(beat);
        for (const res of streams) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
