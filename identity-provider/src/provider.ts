/**
 * The oidc-provider configuration: consumer applications (client credentials, JWT access tokens for the gateway
 * through resource indicators), the consent portal (authorization code + PKCE), accounts from the fixtures, our own
 * sign-in and error pages. Everything else is standard OIDC: discovery, JWKS, token, userinfo, end_session.
 */
import type { Consumer } from "@ndx/contracts";
import Provider, { errors, type AdapterFactory, type ClientMetadata, type Configuration } from "oidc-provider";
import type { AccountDirectory } from "./accounts.ts";
import type { ProviderKeys } from "./keys.ts";
import { logoutPage, messagePage } from "./pages.ts";
import { registrationFeatures, type RegistrationOptions } from "./registration.ts";

/** A first-party web application that signs people in by authorization code + PKCE (the portal, the console). */
export interface WebClientOptions {
  /** Base URL of the application; its `/auth/callback` is the redirect URI and `/` the post-logout redirect URI. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export type PortalClientOptions = WebClientOptions;

/** The exchange's administration console: staff sign in, and it asks for gateway tokens with their roles. */
export const consoleClientId = "ndx-console";

export interface ProviderOptions {
  readonly issuer: string;
  readonly accounts: AccountDirectory;
  /** Consumer applications: each becomes a client-credentials client. */
  readonly consumers: readonly Consumer[];
  readonly portal: PortalClientOptions;
  /** The exchange console's client (`ndx-console`). @default none: no console client */
  readonly console?: WebClientOptions | undefined;
  readonly keys: ProviderKeys;
  /** The gateway's resource indicator, the `aud` of access tokens. */
  readonly audience: string;
  /** @default 900 */
  readonly accessTokenTtlSeconds?: number;
  /** Dynamic Client Registration (RFC 7591/7592) for machine clients. @default undefined: no registration endpoint */
  readonly registration?: RegistrationOptions | undefined;
  /** Where oidc-provider keeps clients, tokens and sessions. @default oidc-provider's in-memory adapter */
  readonly adapter?: AdapterFactory | undefined;
}

/** The scope a consumer may ask for on the gateway resource; tokens without it are still valid. */
export const gatewayScope = "ndx:query";

export function portalRedirectUri(portalUrl: string): string {
  return new URL("/auth/callback", portalUrl).toString();
}

export function portalPostLogoutUri(portalUrl: string): string {
  return new URL("/", portalUrl).toString();
}

function webClient(client: WebClientOptions, name: string): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    client_name: name,
    grant_types: ["authorization_code"],
    response_types: ["code"],
    redirect_uris: [portalRedirectUri(client.url)],
    post_logout_redirect_uris: [portalPostLogoutUri(client.url)],
    token_endpoint_auth_method: "client_secret_basic",
    scope: "openid profile",
  };
}

export function clientsFor(
  consumers: readonly Consumer[],
  portal: PortalClientOptions,
  consoleClient?: WebClientOptions,
): ClientMetadata[] {
  return [
    ...consumers.map(
      (c): ClientMetadata => ({
        client_id: c.id,
        client_secret: c.clientSecret,
        client_name: c.name,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "client_secret_basic",
        scope: gatewayScope,
      }),
    ),
    webClient(portal, "NDX consent portal"),
    ...(consoleClient === undefined ? [] : [webClient(consoleClient, "NDX exchange console")]),
  ];
}

export function createProvider(options: ProviderOptions): Provider {
  const { accounts, audience } = options;
  const accessTokenTTL = options.accessTokenTtlSeconds ?? 900;
  const configuration: Configuration = {
    ...(options.adapter === undefined ? {} : { adapter: options.adapter }),
    clients: clientsFor(options.consumers, options.portal, options.console),
    jwks: options.keys.jwks,
    cookies: { keys: options.keys.cookieKeys },
    responseTypes: ["code"],
    scopes: ["openid", "profile", gatewayScope],
    claims: { openid: ["sub", "kind", "roles"], profile: ["name"] },
    // Claims in the ID token itself, so that a relying party needs no userinfo call.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    findAccount(_ctx, sub) {
      const account = accounts.find(sub);
      if (account === undefined) return undefined;
      return {
        accountId: account.id,
        claims: () => ({ sub: account.id, name: account.name, kind: account.kind, roles: [...account.roles] }),
      };
    },
    async extraTokenClaims(_ctx, token) {
      if (token.kind === "ClientCredentials") return { kind: "consumer", roles: [] };
      const account = token.accountId === undefined ? undefined : accounts.find(token.accountId);
      return account === undefined ? undefined : { kind: account.kind, roles: [...account.roles] };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Client-credentials clients (the fixtures' consumers, registered ones) get gateway tokens without naming the
        // resource; a user flow gets one only when it asks.
        defaultResource: (_ctx, client, oneOf) =>
          oneOf ?? (client.grantTypes?.includes("client_credentials") === true ? audience : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resourceIndicator) {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget("unknown resource indicator");
          return {
            scope: gatewayScope,
            audience,
            accessTokenTTL,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
      ...(options.registration === undefined ? {} : registrationFeatures(gatewayScope)),
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = "html";
          ctx.body = logoutPage(form, ctx.host);
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = "html";
          ctx.body = messagePage("Signed out", "You are signed out. You can close this window.");
        },
      },
    },
    renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = messagePage("Sign-in problem", out.error_description ?? out.error);
    },
    ttl: {
      AccessToken: accessTokenTTL,
      ClientCredentials: accessTokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  };
  return new Provider(options.issuer, configuration);
}
