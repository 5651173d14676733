/** A small method + path router for fetch-style handlers: `/v1/consents/:id` patterns, nothing more. */

export type Params = Readonly<Record<string, string>>;
export type Handler = (request: Request, params: Params, url: URL) => Promise<Response>;

interface Route {
  readonly method: string;
  readonly path: string;
  readonly parts: readonly string[];
  readonly handler: Handler;
}

export interface Router {
  add(method: "GET" | "POST", path: string, handler: Handler): Router;
  /**
   * The handler and the route's template (`/v1/consents/:id`, for metrics); `undefined` when no path matches; a
   * 405 marker when the path matches another method.
   */
  match(method: string, pathname: string): { handler: Handler; params: Params; route: string } | "method-not-allowed" | undefined;
}

export function createRouter(): Router {
  const routes: Route[] = [];
  const router: Router = {
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
        let ok = true;
        route.parts.forEach((p, i) => {
          const actual = parts[i] ?? "";
          if (p.startsWith(":")) {
            try {
              params[p.slice(1)] = decodeURIComponent(actual);
            } catch {
              ok = false;
            }
          } else if (p !== actual) ok = false;
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
