/**
 * What the deployment files say, read once for the honesty tests (compose.test.ts, helmChart.test.ts):
 * docker-compose.yml with its interpolation, .env.example, the Dockerfile's stages and each part's configuration
 * loader, and which variables a loader reads and which secrets it requires outside development.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { loadConsentEngineConfig } from "@ndx/consent-engine";
import { loadDmtLegacyConfig } from "@ndx/dmt-legacy";
import { loadDmtAdapterConfig } from "@ndx/dmt-soap";
import { loadDrpLegacyConfig } from "@ndx/drp-legacy";
import { loadDrpAdapterConfig } from "@ndx/drp-rest";
import { loadGatewayConfig } from "@ndx/gateway";
import { loadIdentityProviderConfig } from "@ndx/identity-provider";
import { ConfigError, loadShutdownConfig } from "@ndx/platform";
import { loadRegistryConfig } from "@ndx/registry";
import { loadConsoleConfig } from "@ndx/console";
import { loadExchangeConfig } from "@ndx/exchange";
import { loadTimeStampingAuthorityConfig } from "@ndx/time-stamping-authority";
import { services } from "../../scripts/services.ts";

export const root = resolve(import.meta.dirname, "../..");
export const read = (file: string): string => readFileSync(resolve(root, file), "utf8");

export type Env = Readonly<Record<string, string | undefined>>;

/** How each part reads its environment: the function its main.ts calls with process.env. */
export const loaders: Readonly<Record<string, (env: Env) => unknown>> = {
  registry: loadRegistryConfig,
  "drp-legacy": loadDrpLegacyConfig,
  "dmt-legacy": loadDmtLegacyConfig,
  "drp-rest": loadDrpAdapterConfig,
  "dmt-soap": loadDmtAdapterConfig,
  "identity-provider": loadIdentityProviderConfig,
  "consent-engine": loadConsentEngineConfig,
  gateway: loadGatewayConfig,
  exchange: loadExchangeConfig,
  console: loadConsoleConfig,
  "time-stamping-authority": loadTimeStampingAuthorityConfig,
};

/**
 * Credentials two sides must agree on, by the variable name each side reads. Every one is a secret: set in compose,
 * from the env file, and the same reference on every side. (The simulators and the dev identity provider have no
 * NDX_ENV, so their sides are secrets by pairing, not by their own config.)
 */
export const sharedCredentials: readonly (readonly string[])[] = [
  ["CONSENT_SERVICE_TOKEN"],
  ["AUDIT_READ_TOKEN"],
  ["OIDC_CLIENT_SECRET", "PORTAL_CLIENT_SECRET"],
  ["DRP_LEGACY_API_KEY", "DRP_LEGACY_API_KEYS"],
  ["DMT_LEGACY_USERNAME"],
  ["DMT_LEGACY_PASSWORD"],
  ["EXCHANGE_SERVICE_TOKEN"],
  ["REGISTRY_GUARDIANSHIP_TOKEN"],
  ["IDP_REGISTRATION_TOKEN"],
  ["CONSOLE_OIDC_CLIENT_SECRET"],
];

// ---------------------------------------------------------------------------------------------------------------
// docker-compose.yml

export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context?: string; readonly target?: string };
  readonly ports?: readonly (string | { target: number; published?: string | number; host_ip?: string })[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly volumes?: readonly (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  readonly depends_on?: readonly string[] | Readonly<Record<string, { condition?: string }>>;
  readonly networks?: Readonly<Record<string, { aliases?: readonly string[] } | null>> | readonly string[];
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

const composeText = read("docker-compose.yml");
export const compose = parse(composeText, { merge: true }) as ComposeFile;
export const partNames = services.map((s) => s.name);

export function composeService(name: string): ComposeService {
  const service = compose.services[name];
  if (service === undefined) throw new Error(`docker-compose.yml has no service "${name}" (scripts/services.ts has)`);
  return service;
}

/** The environment compose gives a service, as written (before interpolation). */
export function rawEnvironment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      (env as readonly string[]).map((line) => {
        const at = line.indexOf("=");
        return at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

const reference = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR, $$. */
function interpolate(value: string, vars: Env): string {
  return value.replace(reference, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === "$$") return "$";
    const name = braced ?? bare ?? "";
    const v = vars[name];
    if (op === ":-") return v === undefined || v === "" ? (arg ?? "") : v;
    if (op === "-") return v === undefined ? (arg ?? "") : v;
    if ((op === ":?" && (v === undefined || v === "")) || (op === "?" && v === undefined)) {
      throw new Error(`compose would refuse to start: ${name} is not set (${arg ?? ""})`);
    }
    return v ?? "";
  });
}

export interface Reference {
  readonly name: string;
  readonly hasDefault: boolean;
}

/** Every variable the compose file interpolates, from its values (comments and $$-escaped text do not count). */
export function references(node: unknown, out: Reference[] = []): Reference[] {
  if (typeof node === "string") {
    for (const m of node.matchAll(reference)) {
      if (m[0] === "$$") continue;
      out.push({ name: m[1] ?? m[4] ?? "", hasDefault: m[2] === ":-" || m[2] === "-" });
    }
  } else if (Array.isArray(node)) {
    for (const item of node) references(item, out);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      references(key, out);
      references(value, out);
    }
  }
  return out;
}

export function portsOf(service: ComposeService): { published: number | undefined; target: number }[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === "object") return { target: Number(p.target), published: p.published === undefined ? undefined : Number(p.published) };
    const parts = String(p).split("/")[0]?.split(":") ?? [];
    const target = Number(parts.at(-1));
    return { target, published: parts.length >= 2 ? Number(parts.at(-2)) : undefined };
  });
}

export function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const d = service.depends_on ?? [];
  if (Array.isArray(d)) return Object.fromEntries((d as readonly string[]).map((n) => [n, undefined]));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v.condition]));
}

export function aliasesOf(service: ComposeService): string[] {
  const networks = service.networks;
  if (networks === undefined || Array.isArray(networks)) return [];
  return Object.values(networks).flatMap((n) => [...(n?.aliases ?? [])]);
}

export function mountsOf(service: ComposeService): { target: string; readOnly: boolean; source: string }[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v === "object") return { target: v.target, readOnly: v.read_only === true, source: v.source ?? "" };
    const [source = "", target = "", mode = ""] = v.split(":");
    return { source, target, readOnly: mode.split(",").includes("ro") };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// .env.example

const envExampleText = read(".env.example");
/** Variables .env.example sets (uncommented), and those it only mentions in a commented-out line. */
export const envExample: Record<string, string> = {};
export const envExampleMentioned = new Set<string>();
for (const line of envExampleText.split("\n")) {
  const set = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
  if (set?.[1] !== undefined) envExample[set[1]] = (set[2] ?? "").trim();
  const mentioned = /^\s*#\s*([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
  if (mentioned?.[1] !== undefined) envExampleMentioned.add(mentioned[1]);
}

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
export interface Stage {
  readonly name: string;
  readonly from: string;
  readonly instructions: Instruction[];
}

const dockerfileText = read("Dockerfile");
export const globalArgs: Record<string, string> = {};
export const stages: Stage[] = [];
{
  const lines = dockerfileText.replaceAll(/\\\r?\n/g, " ").split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === "FROM") {
      const [image = "", , name] = instruction.args.replace(/^--platform=\S+\s+/, "").split(/\s+/);
      stages.push({ name: name ?? `#${stages.length}`, from: image, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name = "", value = ""] = instruction.args.split("=");
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
}

const substituteArgs = (text: string): string => text.replaceAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => globalArgs[n] ?? "");

/** A stage and the stages it is built on, base first; the last element is the external image. */
export function chain(name: string): { stages: Stage[]; image: string } {
  const out: Stage[] = [];
  let current = stages.find((s) => s.name === name);
  while (current !== undefined) {
    out.unshift(current);
    const from = current.from;
    current = stages.find((s) => s.name === from);
    if (current === undefined) return { stages: out, image: substituteArgs(from) };
  }
  throw new Error(`the Dockerfile has no stage "${name}"`);
}

export const allInstructions = (name: string): Instruction[] => chain(name).stages.flatMap((s) => s.instructions);

export function envOf(name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of allInstructions(name).filter((i) => i.keyword === "ENV")) {
    const pairs = [...i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S*)/g)];
    if (pairs.length === 0) {
      const [key = "", ...rest] = i.args.split(/\s+/);
      env[key] = rest.join(" ");
    }
    for (const [, key = "", value = ""] of pairs) env[key] = value;
  }
  return env;
}

export const lastOf = (name: string, keyword: string): Instruction | undefined => allInstructions(name).findLast((i) => i.keyword === keyword);

// ---------------------------------------------------------------------------------------------------------------
// Each part's configuration

/** The environment a part's container gets: the image's ENV, then compose's, interpolated from .env.example. */
export function containerEnvironment(name: string): Record<string, string> {
  const fromCompose = Object.fromEntries(
    Object.entries(rawEnvironment(composeService(name))).map(([k, v]) => [k, interpolate(v, envExample)]),
  );
  return { ...envOf(name), ...fromCompose };
}

/** Calls the part's loader on `env` and returns the variable names it read, and the problems it reported. */
export function load(name: string, env: Env): { read: Set<string>; problems: readonly string[] } {
  const loader = loaders[name];
  if (loader === undefined) throw new Error(`compose.test.ts does not know how "${name}" reads its configuration: add its loader`);
  const readNames = new Set<string>();
  const watched = new Proxy(env, {
    get(target, key, receiver) {
      if (typeof key === "string") readNames.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  try {
    loader(watched);
    // Every part's main.ts also reads how it shuts down (SHUTDOWN_GRACE_MS).
    loadShutdownConfig(watched);
    return { read: readNames, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { read: readNames, problems: error.problems };
    return { read: readNames, problems: [error instanceof Error ? error.message : String(error)] };
  }
}

/** Names of the secrets a part's config requires outside development (what NDX_ENV=production refuses unset). */
export function secretsRequiredOutsideDevelopment(name: string): string[] {
  return secretProblems(load(name, { NDX_ENV: "production" }).problems);
}

export function secretProblems(problems: readonly string[]): string[] {
  return problems
    .filter((p) => /\b(required|secret)\b/.test(p))
    .map((p) => /^([A-Z][A-Z0-9_]*)/.exec(p)?.[1] ?? p)
    .sort();
}

export const pureReference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?\?[^}]*)?\}$/;
