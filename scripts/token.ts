/**
 * `npm run token -- <consumer-app | staff username>`: a development access token from the dev identity provider,
 * printed as a ready Authorization header and as GraphiQL's headers JSON. For a consumer application of the fixtures,
 * by client credentials; for a staff account of the fixtures (registrar.maker, registrar.checker), by signing in
 * with its fixture password through authorization code + PKCE (see staffLogin.ts). `--raw` prints the bare token.
 * The URLs follow the same port settings as `npm start` (ports.ts): IDENTITY_PROVIDER_PORT, GATEWAY_PORT and
 * CONSENT_ENGINE_PORT, or the defaults. Environment, each overriding what the ports give: OIDC_ISSUER (the identity
 * provider's URL), OIDC_AUDIENCE (the gateway's /graphql), PORTAL_URL (the consent portal, whose /auth/callback is the
 * sign-in redirect URI); NDX_FIXTURES_FILE (default: the project's packages/fixtures/data/farajaland.json).
 */
import { readFileSync } from "node:fs";
import { defaultFixturesFile } from "@ndx/platform";
import { readPorts, urlsOf } from "./ports.ts";
import { services } from "./services.ts";
import { staffLogin } from "./staffLogin.ts";

const args = process.argv.slice(2);
const raw = args.includes("--raw");
const clientId = args.find((a) => !a.startsWith("--"));
const portSettings = readPorts(services, process.env);
if (portSettings.problems.length > 0) {
  process.stderr.write(`npm run token cannot use these port settings:\n${portSettings.problems.map((p) => `  ${p}\n`).join("")}`);
  process.exit(2);
}
const urls = urlsOf(portSettings.ports);
const issuer = process.env["OIDC_ISSUER"] || (urls["identity-provider"] ?? "");
const audience = process.env["OIDC_AUDIENCE"] || `${urls["gateway"]}/graphql`;
const portal = process.env["PORTAL_URL"] || (urls["consent-engine"] ?? "");
const fixtures = process.env["NDX_FIXTURES_FILE"] || defaultFixturesFile;

const data = JSON.parse(readFileSync(fixtures, "utf8")) as {
  consumers: { id: string; clientSecret: string }[];
  users: { username: string; password: string; kind: string; roles?: string[] }[];
};
const consumer = data.consumers.find((c) => c.id === clientId);
const staff = data.users.find((u) => u.kind === "staff" && u.username === clientId);
if (consumer === undefined && staff === undefined) {
  const names = [...data.consumers.map((c) => c.id), ...data.users.filter((u) => u.kind === "staff").map((u) => u.username)];
  process.stderr.write(`usage: npm run token -- <${names.join("|")}> [--raw]\n`);
  process.exit(2);
}

function print(who: string, token: string, expiresIn: number | undefined, headers: Record<string, string>): void {
  if (raw) {
    process.stdout.write(`${token}\n`);
    return;
  }
  process.stdout.write(
    [
      `# ${who}, valid ${expiresIn ?? "?"} s. For curl:`,
      `Authorization: Bearer ${token}`,
      "",
      "# For GraphiQL's Headers tab:",
      JSON.stringify({ Authorization: `Bearer ${token}`, ...headers }),
      "",
    ].join("\n"),
  );
}

if (staff !== undefined) {
  try {
    const token = await staffLogin(staff.username, staff.password, {
      issuer,
      audience,
      redirectUri: new URL("/auth/callback", portal).toString(),
    });
    // Staff work on the register they keep; no purpose header, no consent (the policy checks their roles).
    print(`${staff.username} (staff: ${(staff.roles ?? []).join(", ")})`, token.accessToken, token.expiresIn, {});
  } catch (error) {
    process.stderr.write(`Could not sign ${staff.username} in at ${issuer} (is npm start running?): ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
} else if (consumer !== undefined) {
  try {
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
    const response = await fetch(discovery.token_endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(consumer.id)}:${encodeURIComponent(consumer.clientSecret)}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "client_credentials", resource: audience, scope: "" }),
    });
    const body = (await response.json()) as { access_token?: string; expires_in?: number; error_description?: string };
    if (!response.ok || body.access_token === undefined) throw new Error(body.error_description ?? `HTTP ${response.status}`);
    print(consumer.id, body.access_token, body.expires_in, { "X-Purpose": "<one of the app's purposes>" });
  } catch (error) {
    process.stderr.write(`Could not get a token from ${issuer} (is npm start running?): ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
