/**
 * The plugin that makes each GraphQL request's operational record: it starts a recorder when the request arrives,
 * puts it in the context before the access plugin decides (list it before useAccess), and when the response is sent
 * finishes the record (status, sizes, total duration) and hands it to the writer's queue — no I/O on the request
 * path. The recorder of a request is found again by its Request object, held weakly: it goes with the request.
 */
import type { Plugin } from "graphql-yoga";
import { startRecording, type OperationalContext } from "./operationalRecord.ts";
import type { OperationalWriter } from "./operationalWriter.ts";

export interface OperationalRecordsPluginOptions {
  readonly writer: Pick<OperationalWriter, "add">;
  /** This replica (its audit chain). */
  readonly replica: string;
  /** The GraphQL path. @default "/graphql" */
  readonly path?: string;
  /** Monotonic clock, ms. @default performance.now, anchored to Date.now at start */
  readonly now?: () => number;
}

type Recording = ReturnType<typeof startRecording>;

const bytesOf = (value: string | null): number | null => {
  if (value === null) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

export function useOperationalRecords(options: OperationalRecordsPluginOptions): Plugin<{ request: Request } & OperationalContext> {
  const path = options.path ?? "/graphql";
  const origin = Date.now() - performance.now();
  const now = options.now ?? (() => origin + performance.now());
  const recordings = new WeakMap<Request, Recording>();
  return {
    onRequest({ request, url }) {
      if (url.pathname !== path) return;
      const size = bytesOf(request.headers.get("content-length")) ?? (request.method === "GET" ? url.search.length : 0);
      recordings.set(request, startRecording(options.replica, now(), size));
    },
    onExecute({ args, extendContext }) {
      const recording = recordings.get(args.contextValue.request);
      if (recording !== undefined) extendContext({ ndxOperational: recording.recorder });
    },
    onResponse({ request, response }) {
      const recording = recordings.get(request);
      if (recording === undefined) return;
      recordings.delete(request);
      options.writer.add(recording.finish(now(), response.status, bytesOf(response.headers.get("content-length"))));
    },
  };
}
