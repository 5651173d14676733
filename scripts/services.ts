/**
 * What `npm start` runs: every part on its default port (docs/architecture.md), in start-up order. A part added to NDX adds
 * one entry here (and docker-compose.yml gets the same service).
 */

export interface ServiceSpec {
  /** Short name, used in logs and as the `<NAME>_PORT` override (e.g. REGISTRY_PORT). */
  readonly name: string;
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  /** Default port (docs/architecture.md). */
  readonly port: number;
  /** Runs on embedded PGlite: gets PGLITE_DIR=<data dir>/<name>. */
  readonly pglite?: boolean;
  /** Keeps other local state: gets this variable set to <data dir>/<name>. */
  readonly dataDirVariable?: string;
  /** Names of services that must be ready first. */
  readonly after?: readonly string[];
  /** Environment this service needs to find the others, given every service's base URL. */
  readonly links?: (urls: Readonly<Record<string, string>>) => Record<string, string>;
  /** Printed after start-up. */
  readonly show?: { readonly label: string; readonly path: string };
}

export const services: readonly ServiceSpec[] = [
  {
    name: "registry",
    entry: "subgraphs/registry/src/main.ts",
    port: 4001,
    pglite: true,
    // Only the gateway may call a subgraph: it checks the gateway's caller assertions against the gateway's keys,
    // fetched at the first request (the gateway starts later).
    links: (urls) => ({ GATEWAY_JWKS_URL: `${urls["gateway"]}/.well-known/jwks.json` }),
    show: { label: "Registry subgraph (answers the gateway only)", path: "/graphql" },
  },
  {
    name: "drp-legacy",
    entry: "simulators/drp-legacy/src/main.ts",
    port: 9091,
    show: { label: "DRP legacy REST (simulator)", path: "/openapi.json" },
  },
  {
    name: "dmt-legacy",
    entry: "simulators/dmt-legacy/src/main.ts",
    port: 9092,
    // The WSDL's endpoint address follows the port the launcher gives it.
    links: (urls) => ({ DMT_LEGACY_PUBLIC_URL: `${urls["dmt-legacy"]}/dmt` }),
    show: { label: "DMT legacy SOAP (simulator)", path: "/dmt?wsdl" },
  },
  {
    name: "drp-rest",
    entry: "adapters/drp-rest/src/main.ts",
    port: 4002,
    after: ["drp-legacy"],
    // Credentials are left to each side's development defaults, or to DRP_LEGACY_API_KEY(S) in the environment.
    links: (urls) => ({ DRP_LEGACY_URL: urls["drp-legacy"] ?? "", GATEWAY_JWKS_URL: `${urls["gateway"]}/.well-known/jwks.json` }),
    show: { label: "DRP adapter subgraph (answers the gateway only)", path: "/graphql" },
  },
  {
    name: "dmt-soap",
    entry: "adapters/dmt-soap/src/main.ts",
    port: 4003,
    after: ["dmt-legacy"],
    // Credentials are left to each side's development defaults, or to DMT_LEGACY_USERNAME/PASSWORD in the environment.
    links: (urls) => ({ DMT_LEGACY_URL: urls["dmt-legacy"] ?? "", GATEWAY_JWKS_URL: `${urls["gateway"]}/.well-known/jwks.json` }),
    show: { label: "DMT adapter subgraph (answers the gateway only)", path: "/graphql" },
  },
  {
    name: "identity-provider",
    entry: "identity-provider/src/main.ts",
    port: 9000,
    dataDirVariable: "IDP_DATA_DIR",
    // The issuer is the URL it is reached at; the portal's callback and the gateway's audience follow their ports.
    links: (urls) => ({
      IDP_ISSUER: urls["identity-provider"] ?? "",
      PORTAL_URL: urls["consent-engine"] ?? "",
      GATEWAY_AUDIENCE: `${urls["gateway"]}/graphql`,
      CONSOLE_URL: urls["console"] ?? "",
    }),
    show: { label: "Identity provider (OIDC discovery)", path: "/.well-known/openid-configuration" },
  },
  {
    name: "time-stamping-authority",
    entry: "time-stamping-authority/src/main.ts",
    port: 9093,
    // Its CA and TSA keys, made at first start and kept.
    dataDirVariable: "TSA_DATA_DIR",
    show: { label: "Time-stamping authority, RFC 3161 (development; its CA)", path: "/ca.pem" },
  },
  {
    name: "exchange",
    entry: "subgraphs/exchange/src/main.ts",
    port: 4004,
    pglite: true,
    after: ["identity-provider"],
    // Applications' OAuth clients are made at the identity provider by Dynamic Client Registration (its initial access
    // token and the register's service token are left to their development defaults, or to the environment).
    links: (urls) => ({
      GATEWAY_JWKS_URL: `${urls["gateway"]}/.well-known/jwks.json`,
      OIDC_ISSUER: urls["identity-provider"] ?? "",
      // The schema registry's checks count the consents covering a changed field.
      CONSENT_ENGINE_URL: urls["consent-engine"] ?? "",
    }),
    show: { label: "Exchange subgraph (answers the gateway only; the register for followers)", path: "/graphql" },
  },
  {
    name: "consent-engine",
    entry: "consent-engine/src/main.ts",
    port: 8081,
    pglite: true,
    after: ["identity-provider", "exchange", "registry"],
    // CONSENT_SERVICE_TOKEN, OIDC_CLIENT_SECRET and AUDIT_READ_TOKEN are left to their development defaults, or to the
    // environment. The gateway starts later; the portal asks it for the audit trail only when a page is viewed.
    links: (urls) => ({
      OIDC_ISSUER: urls["identity-provider"] ?? "",
      PORTAL_PUBLIC_URL: urls["consent-engine"] ?? "",
      GATEWAY_URL: urls["gateway"] ?? "",
      EXCHANGE_URL: urls["exchange"] ?? "",
      // Guardian consent: who guards whom (the households register); REGISTRY_GUARDIANSHIP_TOKEN left to its default.
      REGISTRY_URL: urls["registry"] ?? "",
    }),
    show: { label: "Consent portal (citizens)", path: "/" },
  },
  {
    name: "gateway",
    entry: "gateway/src/main.ts",
    port: 4000,
    // Its own tables: the audit trail.
    pglite: true,
    after: ["registry", "drp-rest", "dmt-soap", "identity-provider", "exchange", "consent-engine", "time-stamping-authority"],
    // Secrets (CONSENT_SERVICE_TOKEN, AUDIT_READ_TOKEN) are left to their development defaults; the key that signs
    // caller assertions to the subgraphs is generated at each start (GATEWAY_SIGNING_KEY unset).
    links: (urls) => ({
      REGISTRY_URL: `${urls["registry"]}/graphql`,
      DRP_URL: `${urls["drp-rest"]}/graphql`,
      DMT_URL: `${urls["dmt-soap"]}/graphql`,
      OIDC_ISSUER: urls["identity-provider"] ?? "",
      OIDC_AUDIENCE: `${urls["gateway"]}/graphql`,
      CONSENT_ENGINE_URL: urls["consent-engine"] ?? "",
      EXCHANGE_URL: urls["exchange"] ?? "",
      AUDIT_TSA_URL: urls["time-stamping-authority"] ?? "",
    }),
    show: { label: "Gateway (GraphiQL in a browser)", path: "/graphql" },
  },
  {
    name: "console",
    entry: "console/src/main.ts",
    port: 8082,
    after: ["identity-provider", "gateway"],
    // Staff sign in at the identity provider as its client ndx-console; everything else is the gateway's GraphQL.
    links: (urls) => ({
      CONSOLE_URL: urls["console"] ?? "",
      OIDC_ISSUER: urls["identity-provider"] ?? "",
      GATEWAY_URL: urls["gateway"] ?? "",
      GATEWAY_AUDIENCE: `${urls["gateway"]}/graphql`,
    }),
    show: { label: "Admin console (exchange staff)", path: "/" },
  },
];
