/**
 * `GET /health`: the process is alive. `GET /ready`: every dependency answers (database, subgraphs, upstreams).
 * Both answer JSON, so an operator and a load balancer read the same thing.
 */
export type Check = () => Promise<void>;

export interface ReadinessReport {
  readonly status: "ready" | "not_ready";
  /** Each check's "ok", or what is wrong. */
  readonly checks: Record<string, string>;
}

export async function checkReadiness(checks: Record<string, Check>, timeoutMs = 2000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, "ok"] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : "failed"] as const;
      }
    }),
  );
  const ok = entries.every(([, v]) => v === "ok");
  return { status: ok ? "ready" : "not_ready", checks: Object.fromEntries(entries) };
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Answers /health and /ready for any fetch-style server; returns undefined for other paths. */
export async function healthResponse(request: Request, checks: Record<string, Check>): Promise<Response | undefined> {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const { pathname } = new URL(request.url);
  if (pathname === "/health") return Response.json({ status: "ok" });
  if (pathname === "/ready") {
    const report = await checkReadiness(checks);
    return Response.json(report, { status: report.status === "ready" ? 200 : 503 });
  }
  return undefined;
}

/** The same, as a graphql-yoga plugin. */
export function useHealth(checks: Record<string, Check>) {
  return {
    async onRequest({ request, endResponse }: { request: Request; endResponse: (r: Response) => void }) {
      const response = await healthResponse(request, checks);
      if (response !== undefined) endResponse(response);
    },
  };
}
