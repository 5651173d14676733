/**
 * An endpoint served beside GraphQL is a plugin's `onRequest` (the audit API, the register, the events feed …). If it
 * throws or rejects — a database gone away, an input nobody thought of — the error reaches the server adapter
 * (@whatwg-node/server), which answers with the error's stack as the body: file paths, library versions, at times the
 * SQL. Every NDX yoga app's plugins pass through `maskRequestErrors`: such a failure is logged and answered 500
 * INTERNAL_SERVER_ERROR, with nothing of the error in the answer.
 */
import { endpointError } from "./endpointErrors.ts";

/** The answer to a request whose endpoint failed unexpectedly: the NDX code, nothing of the error. */
const internalErrorResponse = (): Response => endpointError("INTERNAL_SERVER_ERROR", "Internal server error");

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";

interface RequestPayload {
  readonly endResponse: (response: Response) => void;
}

/**
 * The same plugins, each `onRequest` guarded: what it throws or rejects with goes to `log`, and the request is
 * answered with `internalErrorResponse()`. A plugin without one is returned as it is. Nothing is made per request
 * unless the hook fails or returns a promise.
 */
export function maskRequestErrors<P extends object>(plugins: readonly P[], log: (error: unknown) => void): P[] {
  const fail = (payload: RequestPayload, error: unknown): void => {
    log(error);
    payload.endResponse(internalErrorResponse());
  };
  return plugins.map((plugin) => {
    const hook: unknown = (plugin as { readonly onRequest?: unknown }).onRequest;
    if (typeof hook !== "function") return plugin;
    const onRequest = (payload: RequestPayload): Promise<void> | undefined => {
      try {
        const result: unknown = hook.call(plugin, payload);
        return isThenable(result) ? Promise.resolve(result).then(() => undefined, (error: unknown) => fail(payload, error)) : undefined;
      } catch (error) {
        fail(payload, error);
        return undefined;
      }
    };
    return { ...plugin, onRequest };
  });
}
