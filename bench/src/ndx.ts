/**
 * What the bench needs from the running parts: a consumer token from the dev identity provider (client credentials),
 * a consent granted through the consent engine's API, the bench policy bundle, and the NDX gateway's audit counters.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCallerAssertionSigner, defaultFixturesFile, generateGatewaySigningKey } from "@ndx/platform";
import { clientCredentialsToken } from "@ndx/platform/dev";
import { buildBundle, regoDir } from "@ndx/policy";

export const benchConsumer = "passport-app";
export const benchPurpose = "passport-application";
/**
 * The key both bench gateways (NDX and plain) sign their caller assertions with, so the subgraphs, which fetch the
 * NDX gateway's JWKS, accept either; and the assertions Hive Gateway and the direct target send (Hive has no signer:
 * one long-lived assertion per subgraph, naming no caller, as the plain gateway's name none).
 */
const benchSigningKey = generateGatewaySigningKey();
export const benchSigningKeyPem = benchSigningKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const benchSigner = createCallerAssertionSigner({ key: benchSigningKey, lifetimeSeconds: 24 * 3600 });
export const benchAssertion = (subgraph: string): Promise<string> => benchSigner.sign(subgraph, undefined);

/** The running consent engine and the service credential the bench presents to it (the same as the NDX gateway's). */
export interface ConsentEngine {
  readonly url: string;
  readonly serviceToken: string;
}

export async function consumerToken(issuer: string, consumerId: string): Promise<string> {
  const fixtures = JSON.parse(readFileSync(process.env["NDX_FIXTURES_FILE"] ?? defaultFixturesFile, "utf8")) as {
    consumers: { id: string; clientSecret: string }[];
  };
  const clientSecret = fixtures.consumers.find((c) => c.id === consumerId)?.clientSecret;
  if (clientSecret === undefined) throw new Error(`${consumerId} is not a consumer in the fixtures`);
  return (await clientCredentialsToken({ issuer, clientId: consumerId, clientSecret })).accessToken;
}

export async function grantConsent(consentEngine: ConsentEngine, consentRequestId: string, citizenId: string): Promise<void> {
  const response = await fetch(`${consentEngine.url}/v1/consent-requests/${consentRequestId}/grant`, {
    method: "POST",
    headers: { authorization: `Bearer ${consentEngine.serviceToken}`, "content-type": "application/json" },
    body: JSON.stringify({ citizenId, durationDays: 1 }),
  });
  if (!response.ok) throw new Error(`grant failed: HTTP ${response.status} ${await response.text()}`);
}

/**
 * Two bundles built into `dir`: `stock` from policy/rego as it is, and `bench`, the same Rego with one data change —
 * the bench consumer gets bulk access, so that it may read a list of people (the list scenario) without naming each
 * citizen. Nothing under policy/ is written.
 */
export function buildPolicyBundles(dir: string): { stock: string; bench: string; stockRevision: string; benchRevision: string } {
  const stock = join(dir, "policy-stock");
  const bench = join(dir, "policy-bench");
  const benchSources = join(dir, "policy-bench-rego");
  mkdirSync(benchSources, { recursive: true });
  for (const file of readdirSync(regoDir).filter((f) => /\.(rego|json)$/.test(f))) {
    copyFileSync(join(regoDir, file), join(benchSources, file));
  }
  const dataFile = join(benchSources, "data.json");
  const data = JSON.parse(readFileSync(dataFile, "utf8")) as { consumers: Record<string, { bulkAccess?: boolean }> };
  const consumer = data.consumers[benchConsumer];
  if (consumer === undefined) throw new Error(`policy data has no consumer ${benchConsumer}`);
  consumer.bulkAccess = true;
  writeFileSync(dataFile, `${JSON.stringify(data, null, 2)}\n`);
  const stockRevision = buildBundle({ outDir: stock });
  const benchRevision = buildBundle({ sources: benchSources, outDir: bench });
  return { stock, bench, stockRevision, benchRevision };
}

/** Audit events stored and INSERTs made so far, from the NDX gateway's /metrics. */
export async function auditCounts(graphqlUrl: string): Promise<{ events: number; writes: number }> {
  const text = await (await fetch(new URL("/metrics", graphqlUrl))).text();
  const value = (name: string) => Number(/^(\S+)(?:\{[^}]*\})? (\S+)$/m.exec(text.split("\n").filter((l) => l.startsWith(name)).join("\n"))?.[2] ?? Number.NaN);
  return { events: value("ndx_audit_events_total"), writes: value("ndx_audit_write_seconds_count") };
}
