/**
 * `npm run schema:publish -- <subgraph> <file.graphql>`: publishes a subgraph's SDL to the schema registry through the
 * gateway (the `publishSchemaVersion` mutation), as an agency's CI pipeline does, and prints the checks: composition
 * errors and hints verbatim, each change with its criticality and use, and our rules' findings. Exit code 0 when the
 * version passed (PUBLISHED, waiting for an exchange administrator to activate it), 1 when it was REFUSED, 2 when it
 * could not be published (usage, the file, the token, the gateway, a GraphQL error such as FORBIDDEN).
 *
 * Environment: NDX_TOKEN — a data owner's (or exchange administrator's) access token (`npm run token -- drp.owner
 * --raw`); NDX_GATEWAY_URL — the gateway's /graphql (default: GATEWAY_PORT's, as `npm start`).
 */
import { readFileSync } from "node:fs";
import { readPorts, urlsOf } from "./ports.ts";
import { services } from "./services.ts";

interface Change {
  criticality: string;
  type: string;
  path: string | null;
  message: string;
  use: { coordinate: string; applications: string[]; activeConsents: number | null; inUse: boolean; operations: { operation: string; consumer: string; count: number; lastSeen: string }[] } | null;
}
interface Version {
  id: string;
  status: string;
  checks: {
    passed: boolean;
    against: number | null;
    compositionErrors: string[];
    compositionHints: string[];
    changes: Change[];
    findings: { severity: string; rule: string; coordinate: string | null; message: string; overridable: boolean }[];
  };
}

const mutation = `mutation Publish($subgraph: String!, $sdl: String!) {
  publishSchemaVersion(subgraph: $subgraph, sdl: $sdl) {
    id status
    checks { passed against compositionErrors compositionHints
      changes { criticality type path message use { coordinate applications activeConsents inUse operations { operation consumer count lastSeen } } }
      findings { severity rule coordinate message overridable } }
  }
}`;

/** The report a pipeline's log shows. */
export function formatChecks(version: Version): string {
  const c = version.checks;
  const lines = [`${version.id}: ${version.status}${c.against === null ? "" : ` (compared with version ${c.against})`}`];
  for (const e of c.compositionErrors) lines.push(`  composition error: ${e}`);
  for (const h of c.compositionHints) lines.push(`  composition hint: ${h}`);
  for (const change of c.changes) {
    lines.push(`  ${change.criticality} ${change.type} ${change.path ?? ""}: ${change.message}`);
    const use = change.use;
    if (use === null || !use.inUse) continue;
    for (const o of use.operations) lines.push(`    used by operation ${o.operation} of ${o.consumer}: ${o.count} times, last ${o.lastSeen}`);
    if (use.applications.length > 0) lines.push(`    granted to: ${use.applications.join(", ")}`);
    lines.push(`    ACTIVE consents covering it: ${use.activeConsents ?? "unknown (the consent engine could not be asked)"}`);
  }
  for (const f of c.findings) lines.push(`  ${f.severity} ${f.rule}${f.coordinate === null ? "" : ` ${f.coordinate}`}: ${f.message}${f.severity === "ERROR" && f.overridable ? " (an exchange administrator may override)" : ""}`);
  return `${lines.join("\n")}\n`;
}

export async function publishSchema(options: { gatewayUrl: string; token: string; subgraph: string; sdl: string }): Promise<Version> {
  const response = await fetch(options.gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
    body: JSON.stringify({ query: mutation, operationName: "Publish", variables: { subgraph: options.subgraph, sdl: options.sdl } }),
  });
  const body = (await response.json()) as { data?: { publishSchemaVersion?: Version } | null; errors?: { message: string; extensions?: { code?: string } }[] };
  const version = body.data?.publishSchemaVersion;
  if (version === undefined || version === null) {
    const why = (body.errors ?? []).map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("; ");
    throw new Error(`the gateway answered HTTP ${response.status}: ${why || "no version"}`);
  }
  return version;
}

if (import.meta.main) {
  const [subgraph, file] = process.argv.slice(2);
  const token = process.env["NDX_TOKEN"] ?? "";
  if (subgraph === undefined || file === undefined || token === "") {
    process.stderr.write("usage: NDX_TOKEN=<a data owner's token> npm run schema:publish -- <subgraph> <file.graphql>\n");
    process.exit(2);
  }
  const ports = readPorts(services, process.env);
  const gatewayUrl = process.env["NDX_GATEWAY_URL"] || `${urlsOf(ports.ports)["gateway"]}/graphql`;
  try {
    const version = await publishSchema({ gatewayUrl, token, subgraph, sdl: readFileSync(file, "utf8") });
    process.stdout.write(formatChecks(version));
    process.exit(version.status === "REFUSED" ? 1 : 0);
  } catch (err) {
    process.stderr.write(`schema:publish: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
