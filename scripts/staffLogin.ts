/**
 * Signs a staff member in at the dev identity provider the way a browser would, without one: authorization code +
 * PKCE (S256) as the consent portal's client, following redirects by hand with a cookie jar, posting the sign-in
 * form with the username and password, catching the code at the redirect URI (no server listens there), and
 * exchanging it for an access token for the gateway (resource indicator = the gateway's audience).
 * Development only: it needs the user's password and the portal client's secret.
 */
import { createHash, randomBytes } from "node:crypto";

export interface StaffLoginOptions {
  /** The issuer URL. @default "http://localhost:9000" */
  readonly issuer?: string;
  /** The gateway's audience, the resource the token is for. @default "http://localhost:4000/graphql" */
  readonly audience?: string;
  /** The portal client's registered redirect URI. @default "http://localhost:8081/auth/callback" */
  readonly redirectUri?: string;
  /** @default "consent-portal" */
  readonly clientId?: string;
  /** @default "dev-consent-portal-secret" */
  readonly clientSecret?: string;
}

export interface StaffToken {
  readonly accessToken: string;
  readonly expiresIn: number | undefined;
}

class StaffLoginError extends Error {
  override name = "StaffLoginError";
}

const b64url = (b: Buffer) => b.toString("base64url");

/** A minimal cookie jar: name=value pairs per host, enough for the provider's interaction and session cookies. */
function cookieJar() {
  const jar = new Map<string, Map<string, string>>();
  return {
    store(url: URL, response: Response) {
      const cookies = jar.get(url.host) ?? new Map<string, string>();
      for (const header of response.headers.getSetCookie()) {
        const [pair = ""] = header.split(";");
        const eq = pair.indexOf("=");
        if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      jar.set(url.host, cookies);
    },
    header(url: URL): string {
      return [...(jar.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join("; ");
    },
  };
}

export async function staffLogin(username: string, password: string, options: StaffLoginOptions = {}): Promise<StaffToken> {
  const {
    issuer = "http://localhost:9000",
    audience = "http://localhost:4000/graphql",
    redirectUri = "http://localhost:8081/auth/callback",
    clientId = "consent-portal",
    clientSecret = "dev-consent-portal-secret",
  } = options;
  const discoveryResponse = await fetch(new URL(".well-known/openid-configuration", issuer.endsWith("/") ? issuer : `${issuer}/`));
  if (!discoveryResponse.ok) throw new StaffLoginError(`discovery at ${issuer} answered HTTP ${discoveryResponse.status}`);
  const discovery = (await discoveryResponse.json()) as { authorization_endpoint: string; token_endpoint: string };

  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: "openid",
    state,
    nonce: b64url(randomBytes(16)),
    code_challenge: b64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
    resource: audience,
  }).toString();

  const cookies = cookieJar();
  const request = async (url: URL, init: { method?: string; body?: URLSearchParams } = {}) => {
    const headers: Record<string, string> = { cookie: cookies.header(url) };
    if (init.body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(url, { method: init.method ?? "GET", headers, body: init.body ?? null, redirect: "manual" });
    cookies.store(url, response);
    return response;
  };

  let url = authorize;
  let response = await request(url);
  let loggedIn = false;
  for (let hop = 0; hop < 20; hop++) {
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const next = new URL(response.headers.get("location") ?? "", url);
      if (next.href.startsWith(redirectUri)) {
        const error = next.searchParams.get("error");
        if (error !== null) throw new StaffLoginError(`sign-in refused: ${next.searchParams.get("error_description") ?? error}`);
        if (next.searchParams.get("state") !== state) throw new StaffLoginError("the provider answered with another state");
        const code = next.searchParams.get("code");
        if (code === null) throw new StaffLoginError("the provider redirected back without a code");
        return exchange(discovery.token_endpoint, { code, verifier, redirectUri, audience, clientId, clientSecret });
      }
      url = next;
      response = await request(url);
      continue;
    }
    const page = await response.text();
    const form = /<form method="post" action="([^"]+\/login)"/.exec(page)?.[1];
    if (response.status === 401) throw new StaffLoginError(`wrong username or password for ${username}`);
    if (form === undefined || loggedIn) {
      // The provider's error page says why, e.g. a redirect URI that is not the portal client's registered one.
      const why = /<h1>[^<]*<\/h1>\s*<p>([^<]{1,300})<\/p>/
        .exec(page)?.[1]
        ?.replaceAll("&#39;", "'")
        .replaceAll("&quot;", '"')
        .replaceAll("&lt;", "<")
        .replaceAll("&gt;", ">")
        .replaceAll("&amp;", "&");
      throw new StaffLoginError(`the provider answered HTTP ${response.status} at ${url.pathname}${why === undefined ? "" : `: ${why}`}`);
    }
    loggedIn = true;
    url = new URL(form.replaceAll("&amp;", "&"), url);
    response = await request(url, { method: "POST", body: new URLSearchParams({ username, password }) });
  }
  throw new StaffLoginError("too many redirects while signing in");
}

async function exchange(
  tokenEndpoint: string,
  p: { code: string; verifier: string; redirectUri: string; audience: string; clientId: string; clientSecret: string },
): Promise<StaffToken> {
  const response = await fetch(tokenEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(p.clientId)}:${encodeURIComponent(p.clientSecret)}`).toString("base64")}`,
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: p.code,
      redirect_uri: p.redirectUri,
      code_verifier: p.verifier,
      resource: p.audience,
    }),
  });
  const body = (await response.json()) as { access_token?: string; expires_in?: number; error_description?: string; error?: string };
  if (!response.ok || body.access_token === undefined) {
    throw new StaffLoginError(`the token endpoint refused the code: ${body.error_description ?? body.error ?? `HTTP ${response.status}`}`);
  }
  return { accessToken: body.access_token, expiresIn: body.expires_in };
}
