/**
 * The settings of caller assertions, both sides. Subgraphs: GATEWAY_JWKS_URL and GATEWAY_ISSUER (`gatewayTrustConfigSpec`,
 * `gatewayTrustSettingsFrom`). The gateway: GATEWAY_SIGNING_KEY, GATEWAY_SIGNING_KEY_PREVIOUS and GATEWAY_ISSUER
 * (`gatewaySigningFrom`). Both throw a ConfigError. A key is never put in an error message: a bad one is named, not printed.
 */
import { ConfigError, setting, type Environment } from "./config.ts";
import { defaultGatewayIssuer, gatewayJwksPath } from "./callerAssertion.ts";
import {
  generateGatewaySigningKey,
  parseGatewayPublicKey,
  parseGatewaySigningKey,
  type GatewaySigningKey,
  type PublicJwk,
} from "./gatewayKeys.ts";

/** Where a development gateway publishes its keys (`npm start` links the real port). */
export const developmentGatewayJwksUrl = `http://localhost:4000${gatewayJwksPath}`;

export const gatewayTrustConfigSpec = {
  /** The gateway's public keys. @default "http://localhost:4000/.well-known/jwks.json" in development; required otherwise */
  GATEWAY_JWKS_URL: setting.optionalUrl(),
  /** The `iss` of the gateway's caller assertions. @default "ndx-gateway" */
  GATEWAY_ISSUER: setting.string(defaultGatewayIssuer),
};

/** A subgraph's side, as its `gatewayTrust` option takes it; GATEWAY_JWKS_URL is required outside development. */
export function gatewayTrustSettingsFrom(parsed: {
  readonly NDX_ENV: Environment;
  readonly GATEWAY_JWKS_URL: string | undefined;
  readonly GATEWAY_ISSUER: string;
}): { readonly jwks: string; readonly issuer: string } {
  if (parsed.GATEWAY_JWKS_URL === undefined && parsed.NDX_ENV !== "development") {
    throw new ConfigError([`GATEWAY_JWKS_URL: must be set to the gateway's JWKS URL (…${gatewayJwksPath}) when NDX_ENV=${parsed.NDX_ENV}`]);
  }
  return { jwks: parsed.GATEWAY_JWKS_URL ?? developmentGatewayJwksUrl, issuer: parsed.GATEWAY_ISSUER };
}

export const gatewaySigningConfigSpec = {
  /**
   * The gateway's private key for caller assertions: Ed25519 (EdDSA) or P-256 (ES256), PEM or JWK.
   * @default a key generated at each start, in development only; required otherwise
   */
  GATEWAY_SIGNING_KEY: setting.optionalString(),
  /** The previous key (public or private: only its public half is used), still published during a rotation. @default unset */
  GATEWAY_SIGNING_KEY_PREVIOUS: setting.optionalString(),
  /** The `iss` of the caller assertions. @default "ndx-gateway" */
  GATEWAY_ISSUER: setting.string(defaultGatewayIssuer),
};

export interface GatewaySigning {
  readonly key: GatewaySigningKey;
  /** The key was generated at this start (development): it dies with the process. */
  readonly generated: boolean;
  readonly previousKeys: readonly PublicJwk[];
  readonly issuer: string;
}

/** The gateway's side; its problems name the variable, never its value. */
export function gatewaySigningFrom(parsed: {
  readonly NDX_ENV: Environment;
  readonly GATEWAY_SIGNING_KEY: string | undefined;
  readonly GATEWAY_SIGNING_KEY_PREVIOUS: string | undefined;
  readonly GATEWAY_ISSUER: string;
}): GatewaySigning {
  const problems: string[] = [];
  let key: GatewaySigningKey | undefined;
  const previousKeys: PublicJwk[] = [];
  if (parsed.GATEWAY_SIGNING_KEY === undefined) {
    if (parsed.NDX_ENV === "development") key = generateGatewaySigningKey();
    else problems.push(`GATEWAY_SIGNING_KEY: must be set to a real secret, the gateway's private signing key (Ed25519 or P-256, PEM or JWK), when NDX_ENV=${parsed.NDX_ENV}`);
  } else {
    try {
      key = parseGatewaySigningKey(parsed.GATEWAY_SIGNING_KEY);
    } catch (error) {
      problems.push(`GATEWAY_SIGNING_KEY: ${error instanceof Error ? error.message : "is not a key"} (expected an Ed25519 or P-256 private key, PEM or JWK)`);
    }
  }
  if (parsed.GATEWAY_SIGNING_KEY_PREVIOUS !== undefined) {
    try {
      previousKeys.push(parseGatewayPublicKey(parsed.GATEWAY_SIGNING_KEY_PREVIOUS));
    } catch (error) {
      problems.push(`GATEWAY_SIGNING_KEY_PREVIOUS: ${error instanceof Error ? error.message : "is not a key"} (expected an Ed25519 or P-256 key, PEM or JWK)`);
    }
  }
  if (key === undefined || problems.length > 0) throw new ConfigError(problems);
  return { key, generated: parsed.GATEWAY_SIGNING_KEY === undefined, previousKeys, issuer: parsed.GATEWAY_ISSUER };
}
