/**
 * GET /.well-known/audit-jwks.json: the public keys of the audit checkpoints (the current key, and the previous ones
 * so that old checkpoints still verify). Public and cacheable; answered before authentication and limits.
 */
import type { JsonWebKeySet } from "@ndx/platform";

const auditJwksPath = "/.well-known/audit-jwks.json";

export function useAuditJwks(jwks: JsonWebKeySet) {
  const body = JSON.stringify(jwks);
  return {
    onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (url.pathname !== auditJwksPath || (request.method !== "GET" && request.method !== "HEAD")) return;
      endResponse(
        new Response(request.method === "HEAD" ? null : body, {
          headers: { "content-type": "application/jwk-set+json", "cache-control": "public, max-age=300" },
        }),
      );
    },
  };
}
