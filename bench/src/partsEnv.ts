/**
 * The environment each part is started with (beside its port, its links to the others and its data directory).
 *
 * The measured parts — the registry, the DRP and DMT adapters, the plain and NDX gateways — run as production:
 * `NODE_ENV=production` with NDX_ENV unset (which means production; NDX_ENV=development beside it is refused), so
 * graphql-js, yoga and their plugins skip their development-only checks, GraphiQL and introspection are off, and every
 * secret production requires is given: values generated for this run, never the development ones. The parts that
 * cannot run as production on loopback stay in development, given the same values where both sides must match:
 * the identity provider (development-only by design: it refuses production), the consent engine (production requires
 * an https portal URL), the time-stamping authority (development-only by design) and the legacy simulators (which
 * have no NDX_ENV; they accept the credentials given here). The exchange subgraph, which the NDX gateway and the
 * consent engine follow (its register) but no request measured calls, runs as production with its own secrets.
 * Each part inherits the bench's environment: NODE_ENV and NDX_ENV are always set or unset here, whatever the shell holds.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";

export interface BenchSecrets {
  /** The consent engine's API credential, presented by the NDX gateway and by the bench when it grants consent. */
  readonly consentServiceToken: string;
  /** The gateway's audit API credential, held by the consent portal. */
  readonly auditReadToken: string;
  /** The DRP adapter's X-API-Key, one of the keys the DRP simulator accepts. */
  readonly drpApiKey: string;
  /** The DMT adapter's WS-Security password, the one the DMT simulator accepts. */
  readonly dmtPassword: string;
  /** The registry's key-encryption key: 32 random bytes, base64. */
  readonly registryKek: string;
  /** The registry's outbox feed credential (nothing in the bench reads the feed). */
  readonly registryEventsToken: string;
  /** The registry's guardianship route credential, held by the consent engine (who may answer for a citizen). */
  readonly registryGuardianshipToken: string;
  /** The consent portal's OIDC client secret, registered with the identity provider. */
  readonly portalClientSecret: string;
  /** The followers' credential for the exchange's register (the NDX gateway, the consent engine, the micro-benchmark). */
  readonly exchangeServiceToken: string;
  /** The exchange's key that seals registration access tokens: 32 random bytes, base64. */
  readonly exchangeSecretKey: string;
  /** Dynamic Client Registration's initial access token at the identity provider, held by the exchange. */
  readonly idpRegistrationToken: string;
  /** The NDX gateway's audit checkpoint signing key: a fresh Ed25519 private key, PKCS #8 PEM. */
  readonly auditCheckpointKey: string;
}

/** Fresh secrets for one run: 32 random bytes each (43 characters base64url; the KEK 44 in base64). */
export function benchSecrets(): BenchSecrets {
  const secret = () => randomBytes(32).toString("base64url");
  return {
    consentServiceToken: secret(),
    auditReadToken: secret(),
    drpApiKey: secret(),
    dmtPassword: secret(),
    registryKek: randomBytes(32).toString("base64"),
    registryEventsToken: secret(),
    registryGuardianshipToken: secret(),
    portalClientSecret: secret(),
    exchangeServiceToken: secret(),
    exchangeSecretKey: randomBytes(32).toString("base64"),
    idpRegistrationToken: secret(),
    auditCheckpointKey: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

const production = { NODE_ENV: "production", NDX_ENV: undefined };
const development = { NODE_ENV: undefined, NDX_ENV: "development" };

/** A backing part (a name in scripts/services.ts other than "gateway"). */
export function partEnv(name: string, secrets: BenchSecrets): Record<string, string | undefined> {
  const quiet = { LOG_LEVEL: "warn" };
  switch (name) {
    case "registry":
      return {
        ...quiet,
        ...production,
        REGISTRY_KEK: secrets.registryKek,
        REGISTRY_EVENTS_TOKEN: secrets.registryEventsToken,
        REGISTRY_GUARDIANSHIP_TOKEN: secrets.registryGuardianshipToken,
      };
    case "drp-rest":
      return { ...quiet, ...production, DRP_LEGACY_API_KEY: secrets.drpApiKey };
    case "dmt-soap":
      return { ...quiet, ...production, DMT_LEGACY_PASSWORD: secrets.dmtPassword };
    // The simulators read no NDX_ENV; NODE_ENV=production as for the parts they serve.
    case "drp-legacy":
      // Its per-key rate limit (500/s by default) is lifted: the bench measures the gateways, not that limit.
      return {
        ...quiet,
        ...production,
        DRP_LEGACY_API_KEYS: secrets.drpApiKey,
        DRP_LEGACY_RATE_PER_SECOND: "1000000",
        DRP_LEGACY_RATE_BURST: "1000000",
      };
    case "dmt-legacy":
      return { ...quiet, ...production, DMT_LEGACY_PASSWORD: secrets.dmtPassword };
    case "identity-provider":
      return { ...quiet, ...development, PORTAL_CLIENT_SECRET: secrets.portalClientSecret, IDP_REGISTRATION_TOKEN: secrets.idpRegistrationToken };
    case "time-stamping-authority":
      return { ...quiet, ...development };
    case "exchange":
      // Its seed is the bench's (benchExchangeSeed in ndx.ts: the bench consumer with bulk access), set by run.ts.
      return {
        ...quiet,
        ...production,
        EXCHANGE_SERVICE_TOKEN: secrets.exchangeServiceToken,
        EXCHANGE_SECRET_KEY: secrets.exchangeSecretKey,
        IDP_REGISTRATION_TOKEN: secrets.idpRegistrationToken,
        // The consent engine's API credential, as the gateway's (the exchange asks the consent engine too).
        CONSENT_SERVICE_TOKEN: secrets.consentServiceToken,
      };
    case "consent-engine":
      return {
        ...quiet,
        ...development,
        CONSENT_SERVICE_TOKEN: secrets.consentServiceToken,
        AUDIT_READ_TOKEN: secrets.auditReadToken,
        OIDC_CLIENT_SECRET: secrets.portalClientSecret,
        EXCHANGE_SERVICE_TOKEN: secrets.exchangeServiceToken,
        REGISTRY_GUARDIANSHIP_TOKEN: secrets.registryGuardianshipToken,
      };
    default:
      throw new Error(`the bench does not know how to start ${name}: add it to bench/src/partsEnv.ts`);
  }
}

/**
 * What the plain and the NDX gateway share: production, the key both sign caller assertions with (the subgraphs
 * know the NDX gateway's JWKS only), the consent engine's tokens (required in production even with
 * ACCESS_CONTROL=false), the exchange's register credential and the audit checkpoint key (the NDX gateway's; its
 * EXCHANGE_URL and AUDIT_TSA_URL are links, given in run.ts).
 */
export function gatewayEnv(secrets: BenchSecrets, signingKeyPem: string): Record<string, string | undefined> {
  return {
    LOG_LEVEL: "warn",
    ...production,
    GATEWAY_SIGNING_KEY: signingKeyPem,
    CONSENT_SERVICE_TOKEN: secrets.consentServiceToken,
    AUDIT_READ_TOKEN: secrets.auditReadToken,
    EXCHANGE_SERVICE_TOKEN: secrets.exchangeServiceToken,
    AUDIT_CHECKPOINT_KEY: secrets.auditCheckpointKey,
  };
}
