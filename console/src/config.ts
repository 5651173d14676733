/** The console's configuration, read once from the environment (docs: console/README.md). */
import {
  ConfigError,
  environmentSetting,
  loadConfig,
  resolveSecrets,
  setting,
  tracingConfigSpec,
  tracingOptionsFrom,
  type TracingOptions,
} from "@ndx/platform";

export const consoleConfigSpec = {
  /** @default 8082 */
  PORT: setting.port(8082),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** development: development secrets allowed, http URLs, cookies without Secure. @default "development" */
  NDX_ENV: environmentSetting(),
  /** The console's public base URL: the OIDC redirect URI is `<CONSOLE_URL>/auth/callback`. @default "http://localhost:8082" */
  CONSOLE_URL: setting.url("http://localhost:8082"),
  /** The OpenID Provider staff sign in with. @default "http://localhost:9000" */
  OIDC_ISSUER: setting.url("http://localhost:9000"),
  /** @default "ndx-console" */
  CONSOLE_OIDC_CLIENT_ID: setting.string("ndx-console"),
  /** Required outside development. @default "dev-console-secret" (development only) */
  CONSOLE_OIDC_CLIENT_SECRET: setting.optionalString(),
  /** Seals the session cookie and signs form tokens; at least 32 characters outside development. @default "dev-console-session-secret" (development only) */
  CONSOLE_SESSION_SECRET: setting.optionalString(),
  /** The gateway whose GraphQL (and GET /audit/summary) every page calls with the staff's token. @default "http://localhost:4000" */
  GATEWAY_URL: setting.url("http://localhost:4000"),
  /** The gateway's audience: the resource the staff's access token is asked for. @default "http://localhost:4000/graphql" */
  GATEWAY_AUDIENCE: setting.string("http://localhost:4000/graphql"),
  /** Console session lifetime (the staff sign in again after it, or when their access token expires). @default 28800 */
  CONSOLE_SESSION_TTL_SECONDS: setting.int(8 * 3600, { min: 60, max: 86_400 }),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
  ...tracingConfigSpec,
};

const parse = (env: Readonly<Record<string, string | undefined>>) => loadConfig(consoleConfigSpec, env);
type Parsed = ReturnType<typeof parse>;

export interface ConsoleConfig extends Omit<Parsed, "CONSOLE_OIDC_CLIENT_SECRET" | "CONSOLE_SESSION_SECRET"> {
  readonly CONSOLE_OIDC_CLIENT_SECRET: string;
  readonly CONSOLE_SESSION_SECRET: string;
  readonly tracing: TracingOptions | undefined;
}

/** Development-only values of the secrets; never accepted outside development. */
export const developmentSecrets = {
  CONSOLE_OIDC_CLIENT_SECRET: "dev-console-secret",
  CONSOLE_SESSION_SECRET: "dev-console-session-secret",
} as const;

export function loadConsoleConfig(env: Readonly<Record<string, string | undefined>>): ConsoleConfig {
  const parsed = parse(env);
  const secrets = resolveSecrets(
    parsed.NDX_ENV,
    { CONSOLE_OIDC_CLIENT_SECRET: parsed.CONSOLE_OIDC_CLIENT_SECRET, CONSOLE_SESSION_SECRET: parsed.CONSOLE_SESSION_SECRET },
    developmentSecrets,
  );
  const problems: string[] = [];
  if (parsed.NDX_ENV !== "development") {
    if (secrets.CONSOLE_SESSION_SECRET.length < 32) problems.push("CONSOLE_SESSION_SECRET: at least 32 characters outside development");
    // Its session cookie is Secure there: a browser would drop it on http.
    if (!parsed.CONSOLE_URL.startsWith("https:")) problems.push(`CONSOLE_URL: must be https when NDX_ENV=${parsed.NDX_ENV}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...parsed, ...secrets, tracing: tracingOptionsFrom(parsed, "console") };
}
