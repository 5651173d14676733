/**
 * An HTTP proxy for tests that can freeze the consent engine's revision stream: while frozen it forwards no byte of
 * any stream response (headers of new ones pass) and closes nothing, as a proxy holding the connection or a stalled
 * network path would. Every other request passes through. Requests wait until the target is set, so the proxy can
 * be started before the system it fronts. Counts the requests per path.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { listen, type Listening } from "@ndx/platform";

export interface FreezableProxy {
  readonly url: string;
  /** Where requests go from now on (those waiting go too). */
  target(url: string): void;
  freeze(): void;
  /** Requests received per path (without the query). */
  count(path: string): number;
  close(): Promise<void>;
}

const streamPath = "/v1/revision/stream";

export async function startFreezableProxy(): Promise<FreezableProxy> {
  let setTarget: (url: string) => void = () => undefined;
  const target = new Promise<string>((resolve) => (setTarget = resolve));
  let frozen = false;
  const counts = new Map<string, number>();
  const open = new Set<IncomingMessage>();
  const http: Listening = await listen((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    counts.set(path, (counts.get(path) ?? 0) + 1);
    void target.then((base) => {
      const upstream = httpRequest(new URL(req.url ?? "/", base), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (path !== streamPath) return void answer.pipe(res);
        open.add(answer);
        answer.on("data", (chunk: Buffer) => {
          if (!frozen) res.write(chunk);
        });
        answer.on("end", () => {
          if (!frozen) res.end();
        });
      });
      upstream.on("error", () => res.destroy());
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    });
  }, 0);
  return {
    url: http.url,
    target: (url) => setTarget(url),
    freeze: () => void (frozen = true),
    count: (path) => counts.get(path) ?? 0,
    async close() {
      for (const answer of open) answer.destroy();
      await http.close();
    },
  };
}
