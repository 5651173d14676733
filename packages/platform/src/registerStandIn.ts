/**
 * A stand-in for the exchange's register (subgraphs/exchange) over real HTTP on a free port, speaking its contract
 * (packages/contracts/src/exchangeRegister.ts): `GET /v1/register`, `GET /v1/register/stream` (SSE: a first `revision`
 * event with the periods and the subscriber id, a `revision` event per change, `heartbeat` events) and
 * `POST /v1/register/ack`, all behind the bearer token; `/health` is open, as the exchange's. Its followers and their
 * acknowledgements are kept as the exchange keeps them (revisionFollowers.ts), so `settled` resolves when the
 * exchange would answer a tightening change. Tests change the register, silence the stream (connections kept open,
 * nothing sent), break the register, withhold confirmations and count what was asked. For the tests of the register
 * followers (registerFollower.ts) and of the parts that use them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { exchangeRegister, registerAck, type ExchangeRegister, type RegisterApplication } from "@ndx/contracts";
import { createRevisionFollowers, type Settlement } from "./revisionFollowers.ts";
import { listen } from "./service.ts";

export const registerStandInToken = "test-exchange-service-token-0123";

export interface RegisterStandIn {
  /** The base URL (EXCHANGE_URL). */
  readonly url: string;
  readonly token: string;
  /** The register as served now. */
  readonly register: ExchangeRegister;
  /** What was asked: GET /v1/register answered, streams opened, acknowledgements, requests refused for their token. */
  readonly counts: { fetches: number; streams: number; acks: number; unauthorized: number };
  /** Commits a change: the next revision, announced on every open stream. */
  change(update: (applications: RegisterApplication[]) => RegisterApplication[]): ExchangeRegister;
  /** Resolves once every follower acknowledged `revision` or passed its deadline: when the exchange answers a tightening change. */
  settled(revision: number): Promise<Settlement>;
  /** Announces the next revision but serves, for it, a register that breaks the contract (until the next change). */
  corrupt(): void;
  /** Nothing more is sent (no events, no heartbeats) and GET /v1/register answers 503; connections stay open. */
  silence(): void;
  resume(): void;
  /** Acknowledgements are answered but never confirmed (as an exchange that knows a newer revision). */
  withholdConfirmations(withhold: boolean): void;
  close(): Promise<void>;
}

export interface RegisterStandInOptions {
  /** @default 50 */
  readonly heartbeatMs?: number;
  /** @default 400 */
  readonly staleAfterMs?: number;
  /** @default registerStandInToken */
  readonly token?: string;
}

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export async function startRegisterStandIn(initial: ExchangeRegister, options: RegisterStandInOptions = {}): Promise<RegisterStandIn> {
  const heartbeatMs = options.heartbeatMs ?? 50;
  const staleAfterMs = options.staleAfterMs ?? 400;
  const token = options.token ?? registerStandInToken;
  let register = structuredClone<ExchangeRegister>(initial);
  if (!exchangeRegister.is(register)) throw new Error(`stand-in register: ${exchangeRegister.problem(register)}`);
  let silent = false;
  let withhold = false;
  let served: unknown;
  let nextSubscriber = 0;
  const followers = createRevisionFollowers({ staleAfterMs });
  const streams = new Set<ServerResponse>();
  const counts = { fetches: 0, streams: 0, acks: 0, unauthorized: 0 };
  const at = () => new Date().toISOString();
  const send = (res: ServerResponse, event: string, data: unknown) => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const beat = setInterval(() => {
    if (!silent) for (const res of streams) send(res, "heartbeat", { revision: register.revision, at: at() });
  }, heartbeatMs);
  beat.unref();
  const announce = () => {
    if (!silent) for (const res of streams) send(res, "revision", { revision: register.revision, at: register.at });
  };

  const http = await listen(async (req, res) => {
    if (req.url === "/health") return void res.writeHead(200).end();
    if (req.headers.authorization !== `Bearer ${token}`) {
      counts.unauthorized += 1;
      return void res.writeHead(401).end();
    }
    if (req.url === "/v1/register") {
      counts.fetches += 1;
      if (silent) return void res.writeHead(503).end();
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served ?? register));
    }
    if (req.url === "/v1/register/stream") {
      counts.streams += 1;
      const subscriber = `stand-in-${(nextSubscriber += 1)}`;
      const untrack = followers.track(subscriber, register.revision);
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      streams.add(res);
      res.on("close", () => {
        streams.delete(res);
        untrack();
      });
      if (!silent) send(res, "revision", { revision: register.revision, at: at(), heartbeatMs, staleAfterMs, subscriber });
      return;
    }
    if (req.url === "/v1/register/ack" && req.method === "POST") {
      counts.acks += 1;
      const ack = registerAck.parse(await readBody(req));
      if (!ack.ok) return void res.writeHead(400).end();
      if (silent) return void res.writeHead(503).end();
      const latest = withhold ? register.revision + 1 : register.revision;
      const answer = followers.acknowledge(ack.value.subscriber, ack.value.revision, latest);
      if (answer === undefined) return void res.writeHead(404).end();
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ confirmed: answer.confirmed, latest, staleAfterMs }));
    }
    res.writeHead(404).end();
  }, 0);

  return {
    url: http.url,
    token,
    get register() {
      return register;
    },
    counts,
    change(update) {
      served = undefined;
      register = { revision: register.revision + 1, at: at(), applications: update(structuredClone<RegisterApplication[]>([...register.applications])) };
      if (!exchangeRegister.is(register)) throw new Error(`stand-in register: ${exchangeRegister.problem(register)}`);
      announce();
      return register;
    },
    settled: (revision) => followers.settled(revision),
    corrupt() {
      register = { ...register, revision: register.revision + 1, at: at() };
      served = { revision: register.revision, at: register.at, applications: [{ id: "half-an-application" }] };
      announce();
    },
    silence() {
      silent = true;
    },
    resume() {
      silent = false;
    },
    withholdConfirmations(value) {
      withhold = value;
    },
    async close() {
      clearInterval(beat);
      for (const res of streams) res.destroy();
      await http.close();
    },
  };
}
