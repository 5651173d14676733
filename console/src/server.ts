/**
 * The console as one fetch-style handler: /health, /ready (the gateway and the identity provider answer), /metrics,
 * the static files, sign-in and the staff pages. `nodeHandler` adapts it to node:http.
 */
import type { RequestListener } from "node:http";
import { createHttpMetrics, createServiceMetrics, healthResponse, httpProbe, html, type Logger, type ServiceMetrics } from "@ndx/platform";
import { createServerAdapter } from "@whatwg-node/server";
import { createOidcLogin, type OidcLogin } from "./auth/oidcLogin.ts";
import { createGatewayClient } from "./gateway/gatewayClient.ts";
import { createFormTokens, type FormTokens } from "./http/formTokens.ts";
import { createPageResponses } from "./http/responses.ts";
import { createSessionCookies, type SessionCookies } from "./http/sessions.ts";
import { applicationRoutes } from "./pages/applications.ts";
import { chartRoutes } from "./pages/charts.ts";
import { grantRoutes } from "./pages/grants.ts";
import { layout } from "./pages/layout.ts";
import { memberRoutes } from "./pages/members.ts";
import { requestRoutes } from "./pages/requests.ts";
import { createConsoleRoutes } from "./routes.ts";
import { signInRoutes } from "./signIn.ts";
import { createStaff } from "./staff.ts";

export interface ConsoleOptions {
  /** The console's public base URL (the OIDC redirect URI is `<publicUrl>/auth/callback`). */
  readonly publicUrl: string;
  readonly oidc: {
    readonly issuer: string;
    readonly clientId: string;
    readonly clientSecret: string;
  };
  /** The gateway's base URL (GraphQL at /graphql, the audit summary at /audit/summary). */
  readonly gatewayUrl: string;
  /** The gateway's audience: the resource staff access tokens are asked for. */
  readonly gatewayAudience: string;
  /** Seals sessions and signs form tokens. */
  readonly sessionSecret: string;
  /** Development: http issuers allowed, cookies without Secure. */
  readonly development: boolean;
  readonly logger: Logger;
  /** @default 28800 */
  readonly sessionTtlSeconds?: number;
  /** @default a registry of its own, labelled console */
  readonly metrics?: ServiceMetrics;
  /** @default Date.now */
  readonly now?: () => number;
  /** Tests: another sign-in. @default OIDC at `oidc.issuer` */
  readonly login?: OidcLogin;
}

export interface Console {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly nodeHandler: RequestListener;
  readonly sessions: SessionCookies;
  readonly formTokens: FormTokens;
  readonly metrics: ServiceMetrics;
}

export function createConsole(options: ConsoleOptions): Console {
  const now = options.now ?? Date.now;
  const responses = createPageResponses(options.oidc.issuer);
  const sessions = createSessionCookies({ secret: options.sessionSecret, secure: !options.development, now, ...(options.sessionTtlSeconds === undefined ? {} : { ttlSeconds: options.sessionTtlSeconds }) });
  const formTokens = createFormTokens({ secret: options.sessionSecret, now });
  const login =
    options.login ??
    createOidcLogin({
      ...options.oidc,
      redirectUri: new URL("/auth/callback", options.publicUrl).toString(),
      postLogoutRedirectUri: new URL("/", options.publicUrl).toString(),
      audience: options.gatewayAudience,
      allowHttp: options.development,
      now,
    });
  const gateway = createGatewayClient({ url: options.gatewayUrl });
  const staff = createStaff({ sessions, formTokens, login, gateway, responses, logger: options.logger, now });
  const signIn = signInRoutes({ sessions, formTokens, login, staff, responses, publicUrl: options.publicUrl });
  const routes = createConsoleRoutes({
    publicUrl: options.publicUrl,
    responses,
    staff,
    add(router) {
      router.add("GET", "/", signIn.home).add("GET", "/login", signIn.login).add("GET", "/auth/callback", signIn.callback).add("POST", "/logout", signIn.logout);
      memberRoutes(router, staff, responses);
      applicationRoutes(router, staff, responses);
      requestRoutes(router, staff, responses);
      grantRoutes(router, staff, responses);
      chartRoutes(router, staff, responses);
    },
  });
  const service = options.metrics ?? createServiceMetrics("console");
  const http = createHttpMetrics(service, { routes: routes.templates });
  const readiness = {
    gateway: httpProbe(new URL("/health", options.gatewayUrl), { name: "the gateway" }),
    identityProvider: httpProbe(new URL(".well-known/openid-configuration", options.oidc.issuer.endsWith("/") ? options.oidc.issuer : `${options.oidc.issuer}/`), { name: "the identity provider" }),
  };
  const notFound = () => responses.page(404, layout("Not found", html`<h1>Not found</h1><p><a href="/">The console's start page</a></p>`));

  const fetchHandler = http.fetch(async (request) => {
    try {
      return (await healthResponse(request, readiness)) ?? (await routes.handle(request)) ?? notFound();
    } catch (error) {
      options.logger.error({ err: error }, "console request failed");
      return responses.page(500, layout("Something went wrong", html`<h1>Something went wrong</h1><p>Please try again in a moment.</p>`));
    }
  });
  const adapter = createServerAdapter(fetchHandler);
  return { fetch: fetchHandler, nodeHandler: (req, res) => void adapter(req, res), sessions, formTokens, metrics: service };
}
