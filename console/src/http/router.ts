/** A small method + path router for fetch-style handlers: `/applications/:id` patterns, nothing more. */

export type Params = Readonly<Record<string, string>>;
export type Handler = (request: Request, params: Params, url: URL) => Promise<Response>;

interface Route {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly parts: readonly string[];
  readonly handler: Handler;
}

export type Match = { handler: Handler; params: Params; route: string } | "method-not-allowed" | undefined;

export interface Router {
  add(method: "GET" | "POST", path: string, handler: Handler): Router;
  /** The handler with its route template (for metrics); undefined when no path matches; a marker for another method. */
  match(method: string, pathname: string): Match;
  /** Every route template, for the request metrics. */
  readonly templates: readonly string[];
}

export function createRouter(): Router {
  const routes: Route[] = [];
  const router: Router = {
    get templates() {
      return [...new Set(routes.map((r) => r.path))];
    },
    add(method, path, handler) {
      routes.push({ method, path, parts: path.split("/").filter(Boolean), handler });
      return router;
    },
    match(method, pathname) {
      const parts = pathname.split("/").filter(Boolean);
      let pathMatched = false;
      for (const route of routes) {
        if (route.parts.length !== parts.length) continue;
        const params: Record<string, string> = {};
        const ok = route.parts.every((p, i) => {
          const actual = parts[i] ?? "";
          if (!p.startsWith(":")) return p === actual;
          try {
            params[p.slice(1)] = decodeURIComponent(actual);
            return true;
          } catch {
            return false;
          }
        });
        if (!ok) continue;
        pathMatched = true;
        if (route.method === method || (route.method === "GET" && method === "HEAD")) return { handler: route.handler, params, route: route.path };
      }
      return pathMatched ? "method-not-allowed" : undefined;
    },
  };
  return router;
}
