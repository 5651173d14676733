/**
 * One request and its whole answer over an undici dispatcher (the upstream's keep-alive pool), through undici's
 * handler interface rather than `pool.request`: no Readable stream, no async resource, no abort listener kept per
 * response; the answer's bytes are collected as they come, up to a limit. For the small answers of legacy services
 * the stream machinery cost more than the rest of the exchange.
 */
import type { Dispatcher } from "undici";

export interface Exchanged {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Why an exchange failed: before an answer began (`connect`), in its body (`body`), or an answer over the limit (`limit`). */
export class ExchangeError extends Error {
  override name = "ExchangeError";
  readonly phase: "connect" | "body" | "limit";
  readonly status: number | undefined;
  readonly declared: number | undefined;
  constructor(phase: "connect" | "body" | "limit", cause: unknown, status?: number, declared?: number) {
    super(phase, { cause });
    this.phase = phase;
    this.status = status;
    this.declared = declared;
  }
}

export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal,
  maxBytes: number,
): Promise<Exchanged> {
  return new Promise<Exchanged>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let status: number | undefined;
    let headers: Record<string, string | string[] | undefined> = {};
    let done = false;
    let controller: Dispatcher.DispatchController | undefined;
    // Not yet started (queued for a connection): give up now; onRequestStart aborts it when its turn comes.
    const onAbort = () => (controller === undefined ? fail(aborted(signal)) : controller.abort(aborted(signal)));
    /** True the first time: the exchange is settled once. */
    const settle = () => {
      if (done) return false;
      done = true;
      signal.removeEventListener("abort", onAbort);
      return true;
    };
    // An abort comes out as the signal's reason, as undici's request() gives it.
    const fail = (error: Error) => settle() && reject(signal.aborted ? aborted(signal) : error);
    if (signal.aborted) {
      reject(aborted(signal));
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    dispatcher.dispatch(options, {
      onRequestStart(c) {
        controller = c;
        if (signal.aborted) c.abort(aborted(signal));
      },
      onResponseStart(c, statusCode, responseHeaders) {
        if (statusCode < 200) return;
        status = statusCode;
        headers = responseHeaders;
        const declared = Number(headers["content-length"] ?? "0");
        if (declared > maxBytes) {
          fail(new ExchangeError("limit", undefined, statusCode, declared));
          c.abort(new Error("answer too large"));
        }
      },
      onResponseData(c, chunk) {
        size += chunk.length;
        if (size > maxBytes) {
          fail(new ExchangeError("limit", undefined, status));
          c.abort(new Error("answer too large"));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        const body = chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8");
        if (settle()) resolve({ status: status ?? 0, headers, body });
      },
      onResponseError(_c, error) {
        fail(new ExchangeError(status === undefined ? "connect" : "body", error, status));
      },
    });
  });
}

function aborted(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("aborted");
}
