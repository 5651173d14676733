/**
 * The portal's HTML responses: every page and redirect carries the same security headers (no caching, no framing, a
 * strict Content-Security-Policy whose form-action names only our origin, the OpenID Provider's and the consumer a
 * consent answer goes back to).
 */

export interface PageResponses {
  /** An HTML page; `formTargets` are further origins its forms may post to; `cookies` are set with it. */
  page(status: number, body: string, formTargets?: readonly string[], cookies?: readonly string[]): Response;
  /** A 303 to `location` (a local path or the provider's sign-in or sign-out). */
  redirect(location: string, cookies?: readonly string[]): Response;
}

/** @param issuer the OpenID Provider's issuer: sign-out forms continue there. */
export function createPageResponses(issuer: string): PageResponses {
  const issuerOrigin = new URL(issuer).origin;

  function headers(formTargets: readonly string[] = [], cookies: readonly string[] = []): Headers {
    const h = new Headers({
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      // Same-origin: our own POSTs keep their Origin header (checked); nothing leaks to other sites.
      "referrer-policy": "same-origin",
      "content-security-policy": [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        `form-action 'self' ${[issuerOrigin, ...formTargets].join(" ")}`,
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join("; "),
    });
    for (const c of cookies) h.append("set-cookie", c);
    return h;
  }

  return {
    page: (status, body, formTargets = [], cookies = []) => new Response(body, { status, headers: headers(formTargets, cookies) }),
    redirect: (location, cookies = []) => {
      const h = headers([], cookies);
      h.set("location", location);
      return new Response(null, { status: 303, headers: h });
    },
  };
}
