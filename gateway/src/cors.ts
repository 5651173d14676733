/**
 * CORS: only the configured origins (the registered consumer apps' origins and the console) may call the gateway
 * from a browser, with credentials. Any other Origin gets no Access-Control-Allow-* header at all, so the browser
 * keeps the answer from that page — where yoga's default echoed every Origin with Allow-Credentials: true. Every
 * answer to a request with an Origin varies by it, so a shared cache never hands one origin's headers to another.
 */
import type { Setting } from "@ndx/platform";
import type { Plugin } from "graphql-yoga";

/** The development consumer apps (their registered redirect URIs' origins), the consent portal and the console. */
export const developmentCorsOrigins: readonly string[] = [
  "http://localhost:5173",
  "http://localhost:5174",
  "http://localhost:8081",
  "http://localhost:8082",
];

/** What yoga's `cors` option gets for each request: the allowed origin's headers, or none (`false`). */
export interface CorsAnswer {
  readonly origin: string;
  readonly credentials: true;
  readonly methods: string[];
  readonly maxAge: number;
  readonly exposedHeaders: string[];
}

/** Yoga's `cors` option as a function of the request: an allowed Origin is echoed with credentials; others get nothing. */
export function corsPolicy(origins: readonly string[]): (request: Request) => CorsAnswer | false {
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get("origin");
    if (origin === null || !allowed.has(origin)) return false;
    return { origin, credentials: true, methods: ["GET", "POST"], maxAge: 600, exposedHeaders: ["Retry-After", "WWW-Authenticate"] };
  };
}

/** `Vary: Origin` on every answer to a request that carries an Origin, allowed or not. */
export function useVaryByOrigin(): Plugin {
  return {
    onResponse({ request, response }) {
      if (!request.headers.has("origin")) return;
      const vary = response.headers.get("vary");
      if (vary === null) response.headers.set("vary", "Origin");
      else if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) response.headers.set("vary", `${vary}, Origin`);
    },
  };
}

/** `origin,origin,...`: each an http(s) origin (scheme, host, port; no path). Unset: undefined (the default applies). */
export function corsOriginsSetting(): Setting<readonly string[] | undefined> {
  return {
    describe: "comma-separated origins like https://app.example.gov, or unset",
    parse: (raw) => {
      if (raw === undefined) return undefined;
      return raw.split(",").map((v) => v.trim()).filter((v) => v !== "").map((v) => {
        let url: URL | undefined;
        try {
          url = new URL(v);
        } catch {
          url = undefined;
        }
        if (url === undefined || !["http:", "https:"].includes(url.protocol) || url.origin !== v) {
          throw new Error(`${JSON.stringify(v)} is not an origin (scheme://host[:port], nothing after)`);
        }
        return v;
      });
    },
  };
}
