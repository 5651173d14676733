/**
 * Signing citizens in with any OpenID Provider (the development one, Keycloak, WSO2 IS...): discovery, the
 * authorization code flow with PKCE (S256), state and nonce, ID token validation by openid-client. The citizen is
 * the value of the configured ID-token claim (`sub` by default).
 */
import * as client from "openid-client";

export interface OidcLoginOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The portal's callback, registered at the provider. */
  readonly redirectUri: string;
  /** Where the provider sends the browser after signing out. */
  readonly postLogoutRedirectUri: string;
  /** @default "openid profile" */
  readonly scope?: string;
  /** @default "sub" */
  readonly citizenClaim?: string;
  /** Allow an http:// issuer (development only). @default false */
  readonly allowHttp?: boolean;
}

export interface LoginStart {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

export interface LoggedIn {
  readonly subject: string;
  readonly name: string;
  readonly idToken: string;
  /** The ID token's `kind` claim, when the provider sends one ("citizen" or "staff"). */
  readonly kind?: "citizen" | "staff";
}

export class LoginError extends Error {
  override name = "LoginError";
}

export interface OidcLogin {
  /**
   * The provider's sign-in URL, with PKCE, state and nonce. `uiLocales` asks the provider to show its pages in the
   * portal's language (OpenID Connect `ui_locales`; a provider that has no such language shows its own).
   */
  begin(uiLocales?: string): Promise<LoginStart>;
  finish(callbackUrl: URL, expected: { state: string; nonce: string; verifier: string }): Promise<LoggedIn>;
  /** The provider's end-session URL, or undefined when it has none. */
  logoutUrl(idToken: string): Promise<string | undefined>;
}

export function createOidcLogin(options: OidcLoginOptions): OidcLogin {
  const claim = options.citizenClaim ?? "sub";
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
        throw new LoginError(`The sign-in service could not be reached (${error instanceof Error ? error.message : "unknown error"})`);
      });
    return configuration;
  };
  return {
    async begin(uiLocales) {
      const c = await config();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: options.redirectUri,
        scope: options.scope ?? "openid profile",
        response_type: "code",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
        ...(uiLocales === undefined ? {} : { ui_locales: uiLocales }),
      });
      return { url: url.toString(), state, nonce, verifier };
    },
    async finish(callbackUrl, expected) {
      const c = await config();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(c, callbackUrl, {
          pkceCodeVerifier: expected.verifier,
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        if (error instanceof client.AuthorizationResponseError && error.error === "access_denied") {
          throw new LoginError("Sign-in was cancelled.");
        }
        throw new LoginError("Sign-in could not be completed. Please try again.");
      }
      const claims = tokens.claims();
      const subject = claims?.[claim];
      if (typeof subject !== "string" || subject === "" || tokens.id_token === undefined) {
        throw new LoginError("The sign-in service did not say who you are.");
      }
      const name = typeof claims?.["name"] === "string" ? claims["name"] : subject;
      const kind = claims?.["kind"];
      return { subject, name, idToken: tokens.id_token, ...(kind === "citizen" || kind === "staff" ? { kind } : {}) };
    },
    async logoutUrl(idToken) {
      const c = await config();
      if (c.serverMetadata().end_session_endpoint === undefined) return undefined;
      return client
        .buildEndSessionUrl(c, { id_token_hint: idToken, post_logout_redirect_uri: options.postLogoutRedirectUri })
        .toString();
    },
  };
}
