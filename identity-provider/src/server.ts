/**
 * The identity provider as an HTTP server: /health and /ready, GET /metrics (identityMetrics.ts), our sign-in pages
 * under /interaction/, and oidc-provider for everything else. The issuer defaults to the URL it listens on (so tests can use port 0).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Consumer } from "@ndx/contracts";
import type { AdapterFactory } from "oidc-provider";
import { healthResponse, listen, type Check, traceNodeRequests, type Logger, type ServiceMetrics, type Tracing } from "@ndx/platform";
import type { AccountDirectory } from "./accounts.ts";
import { createIdentityMetrics } from "./identityMetrics.ts";
import { handleInteraction, matchInteraction } from "./interactions.ts";
import type { ProviderKeys } from "./keys.ts";
import { messagePage } from "./pages.ts";
import { acceptInitialAccessToken, type RegistrationOptions } from "./registration.ts";
import { createProvider, portalRedirectUri, type PortalClientOptions, type WebClientOptions } from "./provider.ts";

export interface IdentityProviderOptions {
  readonly accounts: AccountDirectory;
  readonly consumers: readonly Consumer[];
  readonly portal: PortalClientOptions;
  /** The exchange console's client (`ndx-console`). @default none */
  readonly console?: WebClientOptions | undefined;
  readonly keys: ProviderKeys;
  /** The `aud` of access tokens: the gateway's resource indicator. */
  readonly audience: string;
  readonly logger: Logger;
  /** @default 900 */
  readonly accessTokenTtlSeconds?: number;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** The issuer identifier. @default the URL it listens on, with host "localhost" */
  readonly issuer?: string | undefined;
  /** Dynamic Client Registration with this initial access token. @default undefined: no registration endpoint */
  readonly registration?: RegistrationOptions | undefined;
  /** Storage of clients and tokens (clientStore.ts). @default oidc-provider's in-memory adapter */
  readonly adapter?: AdapterFactory | undefined;
  /** More checks GET /ready runs beside the signing keys, e.g. the client store's database. @default none */
  readonly readinessChecks?: Readonly<Record<string, Check>> | undefined;
  /** The registry GET /metrics serves. @default a registry of its own, labelled identity-provider */
  readonly metrics?: ServiceMetrics;
  /** A SERVER span per request (paths as templates, never query strings). @default undefined: off, no wrapper */
  readonly tracing?: Tracing | undefined;
}

export interface RunningIdentityProvider {
  /** Where it listens. */
  readonly url: string;
  readonly issuer: string;
  close(): Promise<void>;
}

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<RunningIdentityProvider> {
  let handler: RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const metrics = createIdentityMetrics(options.metrics);
  const measured = metrics.http.node((req, res) => handler(req, res));
  const traced = options.tracing === undefined ? measured : traceNodeRequests(measured, options.tracing);
  const http = await listen(traced, options.port ?? 0, options.host ?? "127.0.0.1");
  const issuer = (options.issuer ?? `http://localhost:${http.port}`).replace(/\/$/, "");
  const provider = createProvider({
    issuer,
    accounts: options.accounts,
    consumers: options.consumers,
    portal: options.portal,
    console: options.console,
    keys: options.keys,
    audience: options.audience,
    registration: options.registration,
    adapter: options.adapter,
    ...(options.accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
  });
  if (options.registration !== undefined) await acceptInitialAccessToken(provider, options.registration);
  provider.on("server_error", (_ctx, error) => options.logger.error({ err: error }, "identity provider error"));
  metrics.watch(provider);
  const callback = provider.callback();
  const issuerHost = new URL(issuer).host;
  // Pages we render may only post to ourselves, and be followed by redirects to our clients.
  const formTargets = new Set(
    ["'self'", ...[options.portal, options.console].flatMap((c) => (c === undefined ? [] : [new URL(portalRedirectUri(c.url)).origin]))],
  );
  const pageHeaders = {
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; form-action ${[...formTargets].join(" ")}; frame-ancestors 'none'; base-uri 'none'`,
  };
  handler = (req: IncomingMessage, res: ServerResponse) => {
    void route(req, res).catch((error: unknown) => {
      options.logger.error({ err: error }, "identity provider request failed");
      if (!res.headersSent) {
        res.writeHead(500, { ...pageHeaders, "content-type": "text/html; charset=utf-8" });
        res.end(messagePage("Something went wrong", "Please try again."));
      } else res.end();
    });
  };
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", issuer);
    const health = await healthResponse(new Request(url, { method: req.method ?? "GET" }), {
      ...options.readinessChecks,
      keys: async () => {
        if (options.keys.jwks.keys.length === 0) throw new Error("no signing key");
      },
    });
    if (health !== undefined) {
      res.writeHead(health.status, { "content-type": "application/json" });
      res.end(await health.text());
      return;
    }
    const interaction = matchInteraction(url.pathname);
    if (interaction !== undefined) {
      await handleInteraction({ provider, accounts: options.accounts, pageHeaders }, req, res, interaction);
      return;
    }
    // Endpoints in discovery are built from the Host header: keep them on the issuer's host, however we are reached.
    req.headers.host = issuerHost;
    await callback(req, res);
  }
  return { url: http.url, issuer, close: () => http.close() };
}
