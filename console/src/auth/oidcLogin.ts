/**
 * Signing staff in with the OpenID Provider (the development one, Keycloak...): discovery, authorization code + PKCE
 * (S256) with state and nonce, ID token validation by openid-client, and an access token for the gateway's audience
 * (RFC 8707 resource indicator) that the console sends with every GraphQL call. Only staff (`kind: "staff"`) get in.
 */
import * as client from "openid-client";
import type { PendingLogin, StaffUser } from "../http/sessions.ts";

export interface OidcLoginOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `<CONSOLE_URL>/auth/callback`, registered at the provider. */
  readonly redirectUri: string;
  /** `<CONSOLE_URL>/`, where the provider sends the browser after signing out. */
  readonly postLogoutRedirectUri: string;
  /** The gateway's audience: the resource the access token is for. */
  readonly audience: string;
  /** Allow an http:// issuer (development only). @default false */
  readonly allowHttp?: boolean;
  /** The console's clock, for when the access token expires. @default Date.now */
  readonly now?: () => number;
}

export class LoginError extends Error {
  override name = "LoginError";
}

export interface OidcLogin {
  begin(returnTo: string): Promise<{ url: string; pending: PendingLogin }>;
  finish(callbackUrl: URL, pending: PendingLogin): Promise<StaffUser>;
  /** The provider's end-session URL, or undefined when it has none. */
  logoutUrl(): Promise<string | undefined>;
}

export function createOidcLogin(options: OidcLoginOptions): OidcLogin {
  let configuration: Promise<client.Configuration> | undefined;
  // Discovered on first use and kept; a failed discovery is retried on the next sign-in.
  const config = (): Promise<client.Configuration> => {
    configuration ??= client
      .discovery(
        new URL(options.issuer),
        options.clientId,
        undefined,
        client.ClientSecretBasic(options.clientSecret),
        options.allowHttp === true ? { execute: [client.allowInsecureRequests] } : {},
      )
      .catch((error: unknown) => {
        configuration = undefined;
        throw new LoginError(`The sign-in service could not be reached (${error instanceof Error ? error.message : "unknown error"}).`);
      });
    return configuration;
  };
  return {
    async begin(returnTo) {
      const c = await config();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: options.redirectUri,
        scope: "openid profile",
        response_type: "code",
        resource: options.audience,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      return { url: url.toString(), pending: { state, nonce, verifier, returnTo } };
    },
    async finish(callbackUrl, pending) {
      const c = await config();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(
          c,
          callbackUrl,
          { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true },
          { resource: options.audience },
        );
      } catch (error) {
        if (error instanceof client.AuthorizationResponseError && error.error === "access_denied") throw new LoginError("Sign-in was cancelled.");
        throw new LoginError("Sign-in could not be completed. Please try again.");
      }
      const claims = tokens.claims();
      const username = claims?.sub;
      if (typeof username !== "string" || username === "") throw new LoginError("The sign-in service did not say who you are.");
      if (claims?.["kind"] !== "staff") throw new LoginError("The console is for the exchange's staff. This account is not a staff account.");
      const roles = Array.isArray(claims["roles"]) ? claims["roles"].filter((r): r is string => typeof r === "string") : [];
      const name = typeof claims["name"] === "string" ? claims["name"] : username;
      return {
        username,
        name,
        roles,
        accessToken: tokens.access_token,
        accessTokenExpiresAt: (options.now ?? Date.now)() + (tokens.expiresIn() ?? 300) * 1000,
      };
    },
    async logoutUrl() {
      const c = await config();
      if (c.serverMetadata().end_session_endpoint === undefined) return undefined;
      return client.buildEndSessionUrl(c, { client_id: options.clientId, post_logout_redirect_uri: options.postLogoutRedirectUri }).toString();
    },
  };
}
