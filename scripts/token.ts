/**
 * `npm run token -- <consumer-app>`: a development access token for a consumer application from the fixtures
 * (client credentials at the dev identity provider), printed as a ready Authorization header and as GraphiQL's
 * headers JSON. `--raw` prints the bare token. Environment: OIDC_ISSUER (default http://localhost:9000),
 * OIDC_AUDIENCE (default http://localhost:4000/graphql), NDX_FIXTURES_FILE.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const raw = args.includes("--raw");
const clientId = args.find((a) => !a.startsWith("--"));
const issuer = process.env["OIDC_ISSUER"] ?? "http://localhost:9000";
const audience = process.env["OIDC_AUDIENCE"] ?? "http://localhost:4000/graphql";
const fixtures = process.env["NDX_FIXTURES_FILE"] ?? resolve(import.meta.dirname, "../../shared/fixtures/farajaland.json");

const consumers = (JSON.parse(readFileSync(fixtures, "utf8")) as { consumers: { id: string; clientSecret: string }[] }).consumers;
const consumer = consumers.find((c) => c.id === clientId);
if (consumer === undefined) {
  process.stderr.write(`usage: npm run token -- <${consumers.map((c) => c.id).join("|")}> [--raw]\n`);
  process.exit(2);
}

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
  if (raw) {
    process.stdout.write(`${body.access_token}\n`);
  } else {
    process.stdout.write(
      [
        `# ${consumer.id}, valid ${body.expires_in ?? "?"} s. For curl:`,
        `Authorization: Bearer ${body.access_token}`,
        "",
        "# For GraphiQL's Headers tab:",
        JSON.stringify({ Authorization: `Bearer ${body.access_token}`, "X-Purpose": "<one of the app's purposes>" }),
        "",
      ].join("\n"),
    );
  }
} catch (error) {
  process.stderr.write(`Could not get a token from ${issuer} (is npm start running?): ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
