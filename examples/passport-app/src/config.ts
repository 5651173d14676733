/**
 * The example application's settings, read once from the environment. Out of the box it is the passport office of the
 * development data (`passport-app`, whose registered redirect URI is http://localhost:5173/callback) against the
 * `npm start` defaults; outside development its client secret must be given.
 */
import { loadFarajaland } from "@ndx/fixtures";

export interface PassportAppConfig {
  /** Where it listens. @default 5173 */
  readonly port: number;
  /** Its own address as the citizen's browser reaches it; `<publicUrl>/callback` must be a registered redirect URI. @default http://localhost:<port> */
  readonly publicUrl: string;
  /** The NDX gateway. @default http://localhost:4000 */
  readonly gatewayUrl: string;
  /** The OpenID Provider that issues its access tokens. @default http://localhost:9000 */
  readonly issuer: string;
  /** @default passport-app */
  readonly clientId: string;
  /** @default the development secret of passport-app (development only) */
  readonly clientSecret: string;
  /** The purpose it asks under (X-Purpose), one registered for it. @default passport-application */
  readonly purpose: string;
}

const url = (name: string, value: string): string => {
  const parsed = URL.canParse(value) ? new URL(value) : undefined;
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol)) throw new Error(`${name} must be an http(s) URL, not ${JSON.stringify(value)}`);
  return parsed.origin + parsed.pathname.replace(/\/+$/, "");
};

export function loadConfig(env: Readonly<Record<string, string | undefined>>): PassportAppConfig {
  const port = Number(env["PORT"] ?? "5173");
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, not ${JSON.stringify(env["PORT"])}`);
  const clientId = env["CLIENT_ID"] ?? "passport-app";
  const development = (env["NDX_ENV"] ?? "development") === "development";
  const secret = env["CLIENT_SECRET"] ?? (development ? loadFarajaland().consumers.find((c) => c.id === clientId)?.clientSecret : undefined);
  if (secret === undefined || secret === "") throw new Error(`CLIENT_SECRET is required${development ? ` (no development secret for ${clientId})` : " outside development"}`);
  return {
    port,
    publicUrl: url("PUBLIC_URL", env["PUBLIC_URL"] ?? `http://localhost:${String(port)}`),
    gatewayUrl: url("GATEWAY_URL", env["GATEWAY_URL"] ?? "http://localhost:4000"),
    issuer: url("OIDC_ISSUER", env["OIDC_ISSUER"] ?? "http://localhost:9000"),
    clientId,
    clientSecret: secret,
    purpose: env["PURPOSE"] ?? "passport-application",
  };
}
