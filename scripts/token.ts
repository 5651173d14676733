/**
 * `npm run token -- <consumer-app | staff username>`: a development access token from the dev identity provider,
 * printed as a ready Authorization header and as GraphiQL's headers JSON. For a consumer application of the fixtures,
 * by client credentials; for a staff account of the fixtures (registrar.maker, registrar.checker) or of the exchange
 * seed (exchange.admin, immigration.admin, drp.owner, ...), by signing in with its development password through authorization code + PKCE (see staffLogin.ts). `--raw` prints the bare token.
 * The URLs follow the same port settings as `npm start` (ports.ts): IDENTITY_PROVIDER_PORT, GATEWAY_PORT and
 * CONSENT_ENGINE_PORT, or the defaults. Environment, each overriding what the ports give: OIDC_ISSUER (the identity
 * provider's URL), OIDC_AUDIENCE (the gateway's /graphql), PORTAL_URL (the consent portal, whose /auth/callback is the
 * sign-in redirect URI); NDX_FIXTURES_FILE (default: the project's packages/fixtures/data/farajaland.json).
 */
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import { defaultFixturesFile } from "@ndx/platform";
import { clientCredentialsToken } from "@ndx/platform/dev";
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

const data = loadFarajaland(fixtures);
const consumer = data.consumers.find((c) => c.id === clientId);
const staffAccounts = [...data.users, ...loadExchangeSeed().users].filter((u) => u.kind === "staff");
const staff = staffAccounts.find((u) => u.username === clientId);
if (consumer === undefined && staff === undefined) {
  const names = [...data.consumers.map((c) => c.id), ...staffAccounts.map((u) => u.username)];
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
    // Staff work on the registers they keep; no purpose header, no consent (the policy checks their roles).
    print(`${staff.username} (staff: ${(staff.roles ?? []).join(", ")})`, token.accessToken, token.expiresIn, {});
  } catch (error) {
    process.stderr.write(`Could not sign ${staff.username} in at ${issuer} (is npm start running?): ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
} else if (consumer !== undefined) {
  try {
    const token = await clientCredentialsToken({ issuer, clientId: consumer.id, clientSecret: consumer.clientSecret, audience, scope: "" });
    print(consumer.id, token.accessToken, token.expiresIn, { "X-Purpose": "<one of the app's purposes>" });
  } catch (error) {
    process.stderr.write(`Could not get a token from ${issuer} (is npm start running?): ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
