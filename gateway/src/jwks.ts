/**
 * GET /.well-known/jwks.json: the public keys of the gateway's caller assertions (the current key, and the previous
 * one during a rotation), for the subgraphs. Public and cacheable; answered before authentication and limits.
 */
import { gatewayJwksPath, type JsonWebKeySet } from "@ndx/platform";

export function useJwks(jwks: JsonWebKeySet) {
  const body = JSON.stringify(jwks);
  return {
    onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (url.pathname !== gatewayJwksPath || (request.method !== "GET" && request.method !== "HEAD")) return;
      endResponse(
        new Response(request.method === "HEAD" ? null : body, {
          headers: { "content-type": "application/jwk-set+json", "cache-control": "public, max-age=300" },
        }),
      );
    },
  };
}
