/**
 * The console's route table and the checks every request passes: a known route and method, POSTs from the console's
 * own origin only (each also carries a form token, checked in staff.ts), and the static files (the stylesheet, the
 * chart script, and Chart.js's own UMD build from node_modules, exactly as published).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { setRequestRoute } from "@ndx/platform";
import type { PageResponses } from "./http/responses.ts";
import { createRouter, type Router } from "./http/router.ts";
import { messagePage } from "./pages/layout.ts";
import { chartScript } from "./static/chartScript.ts";
import type { Staff } from "./staff.ts";

const require = createRequire(import.meta.url);
/** Chart.js's browser build, served as published (no CDN). */
export const chartJsFile = resolve(dirname(require.resolve("chart.js")), "chart.umd.min.js");

const javascript = "text/javascript; charset=utf-8";
const statics: Readonly<Record<string, { body: () => string; type: string }>> = {
  "/static/console.css": { body: () => readFileSync(resolve(import.meta.dirname, "static/console.css"), "utf8"), type: "text/css; charset=utf-8" },
  "/static/charts.js": { body: () => chartScript, type: javascript },
  "/static/chart.umd.min.js": { body: () => readFileSync(chartJsFile, "utf8"), type: javascript },
};

function staticRoutes(router: Router): void {
  for (const [path, { body: read, type }] of Object.entries(statics)) {
    const body = read();
    router.add("GET", path, async () =>
      new Response(body, { headers: { "content-type": type, "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" } }),
    );
  }
}

export interface ConsoleRoutesOptions {
  readonly publicUrl: string;
  readonly responses: PageResponses;
  readonly staff: Staff;
  /** Adds the pages' routes. */
  readonly add: (router: Router) => void;
}

/** The console as a fetch handler for its routes: undefined for a path it does not know. */
export function createConsoleRoutes(options: ConsoleRoutesOptions): { handle: (request: Request) => Promise<Response | undefined>; templates: readonly string[] } {
  const { responses } = options;
  const publicOrigin = new URL(options.publicUrl).origin;
  const router = createRouter();
  staticRoutes(router);
  options.add(router);

  /** POSTs come from our own pages only. */
  const sameOrigin = (request: Request): boolean => {
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== publicOrigin) return false;
    return request.headers.get("sec-fetch-site") !== "cross-site";
  };

  return {
    templates: router.templates,
    async handle(request) {
      const url = new URL(request.url);
      const match = router.match(request.method, url.pathname);
      if (match === undefined) return undefined;
      if (match === "method-not-allowed") return responses.page(405, messagePage("Not allowed", "This page cannot be used that way."));
      setRequestRoute(request, match.route);
      if (request.method === "POST" && !sameOrigin(request)) {
        return responses.page(403, messagePage("Not allowed", "This form was sent from another site. Nothing was changed."));
      }
      return match.handler(request, match.params, url);
    },
  };
}
