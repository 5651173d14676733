/**
 * The exchange's register over real HTTP on a free port, as packages/contracts/src/exchangeRegister.ts describes it:
 * `GET /v1/register` and `GET /v1/register/stream` (SSE: a first `revision` event with the periods, one `revision`
 * event per change, `heartbeat` events), both behind the bearer token. Tests change the register, silence the stream
 * (connections kept open, nothing sent) and count what was asked.
 */
import type { ServerResponse } from "node:http";
import type { ExchangeRegister, RegisterApplication } from "@ndx/contracts";
import { listen, type Listening } from "@ndx/platform";

export const exchangeToken = "test-exchange-service-token-0123";

export interface RegisterStandIn {
  /** The base URL (EXCHANGE_URL). */
  readonly url: string;
  readonly register: ExchangeRegister;
  /** GET /v1/register answered so far, and stream connections opened. */
  readonly counts: { fetches: number; streams: number; unauthorized: number };
  /** Commits a change: the next revision, announced on every open stream. */
  change(update: (applications: RegisterApplication[]) => RegisterApplication[]): ExchangeRegister;
  /** Announces the next revision but serves, for it, a register that breaks the contract. */
  corrupt(): void;
  /** Nothing more is sent (no events, no heartbeats) and GET /v1/register answers 503; connections stay open. */
  silence(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startRegisterStandIn(initial: ExchangeRegister, periods = { heartbeatMs: 50, staleAfterMs: 400 }): Promise<RegisterStandIn> {
  let register = initial;
  let silent = false;
  let served: unknown;
  const streams = new Set<ServerResponse>();
  const counts = { fetches: 0, streams: 0, unauthorized: 0 };
  const send = (res: ServerResponse, event: string, data: unknown) => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const beat = setInterval(() => {
    if (!silent) for (const res of streams) send(res, "heartbeat", { revision: register.revision, at: new Date().toISOString() });
  }, periods.heartbeatMs);
  beat.unref();

  const change = (update: (applications: RegisterApplication[]) => RegisterApplication[]): ExchangeRegister => {
    served = undefined;
    register = { revision: register.revision + 1, at: new Date().toISOString(), applications: update([...register.applications]) };
    if (!silent) for (const res of streams) send(res, "revision", { revision: register.revision, at: register.at });
    return register;
  };

  const http: Listening = await listen((req, res) => {
    // As the exchange: /health is open, for the gateway's readiness probe.
    if (req.url === "/health") return void res.writeHead(200).end();
    if (req.headers.authorization !== `Bearer ${exchangeToken}`) {
      counts.unauthorized += 1;
      res.writeHead(401).end();
      return;
    }
    if (req.url === "/v1/register") {
      counts.fetches += 1;
      if (silent) res.writeHead(503).end();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served ?? register));
      return;
    }
    if (req.url === "/v1/register/stream") {
      counts.streams += 1;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      streams.add(res);
      res.on("close", () => streams.delete(res));
      if (!silent) send(res, "revision", { revision: register.revision, at: new Date().toISOString(), ...periods });
      return;
    }
    res.writeHead(404).end();
  }, 0);

  return {
    url: http.url,
    get register() {
      return register;
    },
    counts,
    change,
    corrupt() {
      const next = change((apps) => apps);
      served = { ...next, applications: next.applications.map((a) => ({ ...a, status: "MAYBE" })) };
    },
    silence() {
      silent = true;
    },
    resume() {
      silent = false;
    },
    async close() {
      clearInterval(beat);
      for (const res of streams) res.destroy();
      await http.close();
    },
  };
}
