/**
 * What the bench needs from the running parts: a consumer token from the dev identity provider (client credentials),
 * a consent granted through the consent engine's API, the policy bundle, the seed of its exchange and the register the
 * exchange serves, and the NDX gateway's audit counters.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCallerAssertionSigner, defaultFixturesFile, generateGatewaySigningKey } from "@ndx/platform";
import { clientCredentialsToken } from "@ndx/platform/dev";
import { exchangeRegister, type ExchangeRegister } from "@ndx/contracts";
import { loadExchangeSeed } from "@ndx/fixtures";
import { buildBundle } from "@ndx/policy";

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

/** The policy bundle built into `dir` from policy/rego as it is (nothing under policy/ is written). */
export function buildPolicyBundle(dir: string): { dir: string; revision: string } {
  const out = join(dir, "policy");
  return { dir: out, revision: buildBundle({ outDir: out }) };
}

/**
 * The seed of the bench's exchange, written into `dir`: the development seed with one change — the bench consumer has
 * bulk access (a seed setting; no GraphQL input grants it), so that it may read a list of people (the list scenario)
 * without naming each citizen. It reaches the NDX gateway as production's data does: through the exchange's register.
 * Bulk access matters only to a request that names no citizen, so the single-person scenario's policy path is the
 * stock one.
 */
export function writeBenchExchangeSeed(dir: string): string {
  const seed = loadExchangeSeed();
  if (!seed.applications.some((a) => a.id === benchConsumer)) throw new Error(`the exchange seed has no application ${benchConsumer}`);
  const file = join(dir, "exchange-seed.json");
  const applications = seed.applications.map((a) => (a.id === benchConsumer ? { ...a, bulkAccess: true } : a));
  writeFileSync(file, `${JSON.stringify({ ...seed, applications }, null, 2)}\n`);
  return file;
}

/** The exchange's register as a follower reads it (GET /v1/register), checked against the contract. */
export async function fetchRegister(exchangeUrl: string, serviceToken: string): Promise<ExchangeRegister> {
  const response = await fetch(new URL("/v1/register", exchangeUrl), { headers: { authorization: `Bearer ${serviceToken}` } });
  if (!response.ok) throw new Error(`the exchange's register: HTTP ${response.status}`);
  const parsed = exchangeRegister.parse(await response.json());
  if (!parsed.ok) throw new Error(`the exchange's register breaks the contract: ${parsed.problem}`);
  return parsed.value;
}

/** Audit events stored and INSERTs made so far, from the NDX gateway's /metrics. */
export async function auditCounts(graphqlUrl: string): Promise<{ events: number; writes: number }> {
  const text = await (await fetch(new URL("/metrics", graphqlUrl))).text();
  const value = (name: string) => Number(/^(\S+)(?:\{[^}]*\})? (\S+)$/m.exec(text.split("\n").filter((l) => l.startsWith(name)).join("\n"))?.[2] ?? Number.NaN);
  return { events: value("ndx_audit_events_total"), writes: value("ndx_audit_write_seconds_count") };
}
