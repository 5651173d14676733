/**
 * The console's HTML responses: every page and redirect carries the same security headers — never cached (pages hold
 * what only the signed-in person may see; a secret page above all), no framing, and a Content-Security-Policy that
 * allows scripts and styles from the console itself only (Chart.js is served from here, no CDN, nothing inline) and
 * forms that post to the console or continue at the OpenID Provider (sign-out).
 */

export interface PageResponses {
  /** An HTML page; `cookies` are set with it. */
  page(status: number, body: string, cookies?: readonly string[]): Response;
  /** A 303 to `location` (a local path, or the provider's sign-in or sign-out). */
  redirect(location: string, cookies?: readonly string[]): Response;
}

/** @param issuer the OpenID Provider's issuer: sign-out forms continue there. */
export function createPageResponses(issuer: string): PageResponses {
  const issuerOrigin = new URL(issuer).origin;
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action 'self' ${issuerOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");

  function headers(cookies: readonly string[]): Headers {
    const h = new Headers({
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      // Same-origin: our own POSTs keep their Origin header (checked); nothing leaks to other sites.
      "referrer-policy": "same-origin",
      "content-security-policy": csp,
    });
    for (const c of cookies) h.append("set-cookie", c);
    return h;
  }

  return {
    page: (status, body, cookies = []) => new Response(body, { status, headers: headers(cookies) }),
    redirect: (location, cookies = []) => {
      const h = headers(cookies);
      h.set("location", location);
      return new Response(null, { status: 303, headers: h });
    },
  };
}
