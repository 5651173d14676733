/**
 * One request's operational record (issue 19 item 6): who asked (the consumer application; staff and citizens by kind
 * only), the declared purpose, the operation's name, the decision, each provider called with its duration and
 * outcome, the request's and response's sizes, the total duration and the HTTP status. Never a subject, a NIC, a
 * variable or any data: what a member may see of its own traffic, and what operators need to run the exchange.
 *
 * The recorder travels in the GraphQL context (`ndxOperational`): the access plugin tells it the decision, the
 * subgraph client each provider call; the plugin that made it finishes it when the response is sent.
 */
export type ProviderOutcome = "ok" | "error" | "timeout";

export interface ProviderCall {
  readonly provider: string;
  readonly ms: number;
  readonly outcome: ProviderOutcome;
}

export interface OperationalRecord {
  /** ISO 8601: when the request arrived. */
  readonly at: string;
  /** The gateway replica (its audit chain) that served it. */
  readonly replica: string;
  readonly traceId: string | null;
  readonly caller: "consumer" | "staff" | "citizen" | null;
  /** The consumer application; null for staff and citizens (people are not named here). */
  readonly consumer: string | null;
  readonly purpose: string | null;
  readonly operationName: string | null;
  /** The access decision (permit, forbidden, …), or null for a request that was not decided (public, malformed). */
  readonly decision: string | null;
  readonly providers: readonly ProviderCall[];
  readonly requestBytes: number;
  readonly responseBytes: number | null;
  readonly durationMs: number;
  readonly status: number;
}

/** A record as the request path makes it: its time as epoch ms (turned into ISO 8601 off the path, by the writer). */
export type RecordToWrite = Omit<OperationalRecord, "at"> & { readonly atMs: number };

/** What the access plugin knows of the request, as its audit record has it. */
export interface DecidedRequest {
  readonly traceId: string;
  readonly caller: OperationalRecord["caller"];
  readonly consumer: string | null;
  readonly purpose: string | null;
  readonly operationName: string | null;
  readonly decision: string | null;
}

export interface OperationalRecorder {
  decided(request: DecidedRequest): void;
  provider(name: string, ms: number, outcome: ProviderOutcome): void;
}

export interface OperationalContext {
  readonly ndxOperational?: OperationalRecorder;
}

/** The request's recorder from a GraphQL context, if operational records are on. */
export const operationalOf = (context: unknown): OperationalRecorder | undefined =>
  (context as OperationalContext | undefined)?.ndxOperational;

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A recorder for one request, and `finish` to make its record once the response is known. */
export function startRecording(replica: string, startedAt: number, requestBytes: number) {
  let decided: DecidedRequest | undefined;
  const providers: ProviderCall[] = [];
  const recorder: OperationalRecorder = {
    decided(request) {
      decided = request;
    },
    provider(provider, ms, outcome) {
      providers.push({ provider, ms: round(ms), outcome });
    },
  };
  const finish = (endedAt: number, status: number, responseBytes: number | null): RecordToWrite => ({
    atMs: startedAt,
    replica,
    traceId: decided?.traceId ?? null,
    caller: decided?.caller ?? null,
    consumer: decided?.caller === "consumer" ? decided.consumer : null,
    purpose: decided?.purpose ?? null,
    operationName: decided?.operationName ?? null,
    decision: decided?.decision ?? null,
    providers,
    requestBytes,
    responseBytes,
    durationMs: round(endedAt - startedAt),
    status,
  });
  return { recorder, finish };
}
