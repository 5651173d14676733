/**
 * The identity provider's metrics, served at GET /metrics (no credential, like every NDX part): every request by
 * route template and status (`ndx_http_request_duration_seconds`, platform's httpMetrics: `/interaction/:uid`,
 * never an interaction id), and `ndx_idp_tokens_total{grant_type,outcome}`: token requests by grant type
 * (`client_credentials` for consumer applications, `authorization_code` for the portal's sign-ins, ...) and
 * outcome, `issued` or the OAuth error code returned (`invalid_client`, `invalid_grant`, ...).
 */
import { Counter, createHttpMetrics, createServiceMetrics, type HttpMetrics, type ServiceMetrics } from "@ndx/platform";
import type Provider from "oidc-provider";

/** oidc-provider's routes (its defaults) and our sign-in pages. */
export const identityProviderRoutes: readonly string[] = [
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server",
  "/jwks",
  "/token",
  "/token/revocation",
  "/token/introspection",
  "/auth",
  "/auth/:uid",
  "/me",
  "/session/end",
  "/session/end/confirm",
  "/session/end/success",
  "/interaction/:uid",
  "/interaction/:uid/login",
  "/interaction/:uid/abort",
];

const grantTypes = new Set(["client_credentials", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"]);
const oauthErrors = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "invalid_target",
  "invalid_dpop_proof",
  "server_error",
]);

export interface IdentityMetrics {
  readonly service: ServiceMetrics;
  readonly http: HttpMetrics;
  /** Counts the provider's token endpoint outcomes. */
  watch(provider: Provider): void;
}

export function createIdentityMetrics(service: ServiceMetrics = createServiceMetrics("identity-provider")): IdentityMetrics {
  const tokens = new Counter({
    name: "ndx_idp_tokens_total",
    help: "Token requests by grant type and outcome (issued, or the OAuth error code)",
    labelNames: ["grant_type", "outcome"] as const,
    registers: [service.registry],
  });
  for (const grant_type of ["client_credentials", "authorization_code"]) tokens.inc({ grant_type, outcome: "issued" }, 0);
  const grantOf = (value: unknown) => (typeof value === "string" && grantTypes.has(value) ? value : "other");
  return {
    service,
    http: createHttpMetrics(service, { routes: identityProviderRoutes }),
    watch(provider) {
      provider.on("grant.success", (ctx) => tokens.inc({ grant_type: grantOf(ctx.oidc.params?.["grant_type"]), outcome: "issued" }));
      provider.on("grant.error", (ctx, error) => {
        // A request refused early (client authentication) may have no parsed params yet: read the body.
        const grant = ctx.oidc.params?.["grant_type"] ?? ctx.oidc.body?.["grant_type"];
        tokens.inc({ grant_type: grantOf(grant), outcome: oauthErrors.has(error.error) ? error.error : "error" });
      });
    },
  };
}
