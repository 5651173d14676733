/**
 * Keeps docker-compose.yml, the Dockerfile and .env.example honest without a Docker engine: the compose services are
 * exactly the parts `npm start` runs (scripts/services.ts) plus postgres, on the same ports, wired to each other the
 * way services.ts wires them, each setting only variables its part's config reads, every secret from the env file.
 * A part added to services.ts and not to compose (or the other way round) fails here, and so does a part this test
 * does not know how to configure (add its loader in deploymentSources.ts, which reads the deployment files). The Helm chart (deploy/helm/ndx) is held to the same: its
 * Deployments are the parts (the development ones only with development=true), from the Dockerfile's targets, on
 * services.ts's ports, with /health and /ready probes and only variables each part reads, every secret from a Secret;
 * it passes `helm lint` and `kubeconform -strict` against the Kubernetes schemas (the pinned tools, scripts/tools.ts).
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { loadGatewayConfig } from "@ndx/gateway";
import { opaVersion } from "@ndx/policy";
import { partEnvironmentDefaults } from "@ndx/platform/dev";
import { services, type ServiceSpec } from "../../scripts/services.ts";
import { ensureChartTools, kubernetesVersion } from "../../scripts/tools.ts";
import {
  root,
  read,
  loaders,
  sharedCredentials,
  compose,
  partNames,
  composeService,
  rawEnvironment,
  references,
  portsOf,
  dependsOn,
  aliasesOf,
  mountsOf,
  envExample,
  envExampleMentioned,
  globalArgs,
  stages,
  chain,
  allInstructions,
  envOf,
  lastOf,
  containerEnvironment,
  load,
  secretsRequiredOutsideDevelopment,
  secretProblems,
  pureReference,
} from "./deploymentSources.ts";

// ---------------------------------------------------------------------------------------------------------------

describe("docker-compose.yml runs what npm start runs", () => {
  it("has one service per part of scripts/services.ts, plus postgres", () => {
    const composeNames = Object.keys(compose.services);
    const missing = partNames.filter((n) => !composeNames.includes(n));
    const extra = composeNames.filter((n) => n !== "postgres" && !partNames.includes(n));
    expect(missing, `in scripts/services.ts but not in docker-compose.yml: ${missing.join(", ")}`).toEqual([]);
    expect(extra, `in docker-compose.yml but not in scripts/services.ts: ${extra.join(", ")}`).toEqual([]);
    expect(composeNames, "docker-compose.yml needs its postgres service").toContain("postgres");
    expect(Object.keys(loaders).sort(), "compose.test.ts needs a config loader for exactly the parts of services.ts").toEqual([...partNames].sort());
  });

  it.each(services)("publishes $name on its port and builds it from its Dockerfile target", (s: ServiceSpec) => {
    const service = composeService(s.name);
    expect(portsOf(service), `${s.name}: ports must be ["127.0.0.1:${s.port}:${s.port}"] (services.ts port)`).toEqual([
      { published: s.port, target: s.port },
    ]);
    expect(service.build, `${s.name}: build must be { context: ., target: ${s.name} }`).toEqual({ context: ".", target: s.name });
    const stage = stages.find((st) => st.name === s.name);
    expect(stage, `the Dockerfile has no target "${s.name}"`).toBeDefined();
    expect((JSON.parse(lastOf(s.name, "CMD")?.args ?? "[]") as string[]).join(" "), `Dockerfile ${s.name}: CMD`).toBe(`node ${s.entry}`);
    expect(envOf(s.name)["PORT"], `Dockerfile ${s.name}: ENV PORT`).toBe(String(s.port));
    expect(lastOf(s.name, "EXPOSE")?.args.split(/\s+/), `Dockerfile ${s.name}: EXPOSE`).toContain(String(s.port));
  });

  it.each(services)("sets only variables $name's config reads, and $name loads with them", (s: ServiceSpec) => {
    const env = containerEnvironment(s.name);
    const { read: readNames, problems } = load(s.name, env);
    expect(problems, `${s.name} refuses the compose environment (with .env.example's values)`).toEqual([]);
    // The process's own settings (partEnvironment.ts) are read by the C library, not by a part's config.
    const unread = Object.keys(env).filter((k) => !readNames.has(k) && !(k in partEnvironmentDefaults));
    expect(unread, `${s.name}: set in docker-compose.yml or its Dockerfile target, but its config does not read them`).toEqual([]);
  });

  it.each(services)("takes every secret of $name from the env file", (s: ServiceSpec) => {
    const raw = rawEnvironment(composeService(s.name));
    const { read: readNames } = load(s.name, containerEnvironment(s.name));
    const paired = sharedCredentials.flat().filter((n) => readNames.has(n));
    const secrets = [...new Set([...secretsRequiredOutsideDevelopment(s.name), ...paired])];
    for (const secret of secrets) {
      const value = raw[secret];
      expect(value, `${s.name}: ${secret} must be set in docker-compose.yml (from the env file)`).toBeDefined();
      expect(value, `${s.name}: ${secret} must be a \${VAR} or \${VAR:?message} reference to the env file, not a value`).toMatch(pureReference);
    }
    // Credentials inside URLs (DATABASE_URL) come from the env file too.
    for (const [key, value] of Object.entries(raw)) {
      const userinfo = /^[a-z]+:\/\/([^@/]*)@/.exec(value)?.[1];
      if (userinfo === undefined) continue;
      for (const part of userinfo.split(":")) {
        expect(part, `${s.name}: ${key} has credentials that are not \${VAR} references`).toMatch(pureReference);
      }
    }
  });

  it("gives both sides of every shared credential the same env-file variable", () => {
    for (const group of sharedCredentials) {
      const sides = partNames.flatMap((name) => {
        const { read: readNames } = load(name, containerEnvironment(name));
        const raw = rawEnvironment(composeService(name));
        return group.filter((v) => readNames.has(v)).map((v) => ({ where: `${name}.${v}`, ref: pureReference.exec(raw[v] ?? "")?.[1] }));
      });
      expect(sides.length, `${group.join("/")}: read by fewer than two parts`).toBeGreaterThanOrEqual(2);
      const refs = new Set(sides.map((side) => side.ref));
      expect(refs.size, `${group.join("/")} must reference one env-file variable: ${JSON.stringify(sides)}`).toBe(1);
    }
  });

  it("wires the parts to each other as services.ts does", () => {
    const url = (host: string, port: number) => `http://${host}:${port}`;
    const internal = Object.fromEntries(services.map((s) => [s.name, url(s.name, s.port)]));
    const published = Object.fromEntries(services.map((s) => [s.name, url("localhost", s.port)]));
    const aliased = Object.fromEntries(
      services.map((s) => [s.name, url(aliasesOf(composeService(s.name))[0] ?? s.name, s.port)]),
    );
    for (const s of services) {
      const env = rawEnvironment(composeService(s.name));
      const candidates = [internal, published, aliased].map((urls) => s.links?.(urls) ?? {});
      for (const key of Object.keys(candidates[0] ?? {})) {
        const allowed = candidates.map((c) => c[key]);
        expect(allowed, `${s.name}: ${key}=${env[key]} should point where services.ts links it (by service name, alias or published port)`).toContain(env[key]);
      }
      const deps = dependsOn(composeService(s.name));
      for (const after of s.after ?? []) {
        expect(deps[after], `${s.name} must depend_on ${after} (condition: service_healthy), as services.ts starts it after`).toBe("service_healthy");
      }
      if (s.pglite === true) {
        expect(env["DATABASE_URL"], `${s.name} stores data: DATABASE_URL must point at the postgres service`).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
        expect(deps["postgres"], `${s.name} must depend_on postgres (condition: service_healthy)`).toBe("service_healthy");
      }
      if (s.dataDirVariable !== undefined) {
        const dir = env[s.dataDirVariable] ?? "";
        const mounted = mountsOf(composeService(s.name)).some((m) => !m.readOnly && (dir === m.target || dir.startsWith(`${m.target}/`)));
        expect(mounted, `${s.name}: ${s.dataDirVariable}=${dir} must be inside a writable volume`).toBe(true);
      }
      const { read: readNames } = load(s.name, containerEnvironment(s.name));
      if (readNames.has("NDX_FIXTURES_FILE")) {
        const file = env["NDX_FIXTURES_FILE"];
        expect(file, `${s.name} seeds from the fixtures: set NDX_FIXTURES_FILE`).toBeDefined();
        const mount = mountsOf(composeService(s.name)).find((m) => m.target === file);
        expect(mount?.readOnly, `${s.name}: mount the fixtures read-only at ${file}`).toBe(true);
      }
    }
  });

  it("has one OIDC issuer that the browser, the consent engine and the gateway all reach", () => {
    const env = (name: string) => rawEnvironment(composeService(name));
    const issuer = env("identity-provider")["IDP_ISSUER"] ?? "";
    expect(env("gateway")["OIDC_ISSUER"]).toBe(issuer);
    expect(env("consent-engine")["OIDC_ISSUER"]).toBe(issuer);
    expect(env("gateway")["OIDC_AUDIENCE"]).toBe(env("identity-provider")["GATEWAY_AUDIENCE"]);
    expect(env("identity-provider")["PORTAL_URL"]).toBe(env("consent-engine")["PORTAL_PUBLIC_URL"]);
    const host = new URL(issuer).hostname;
    // Inside the compose network: the service's name or a network alias. From the browser: a *.localhost name.
    expect(["identity-provider", ...aliasesOf(composeService("identity-provider"))], `issuer host ${host} must resolve inside the stack`).toContain(host);
    expect(host.endsWith(".localhost"), `issuer host ${host} must resolve in a browser on this machine (a *.localhost name)`).toBe(true);
  });

  it("runs postgres 16 on a named volume, with credentials from the env file", () => {
    const postgres = composeService("postgres");
    expect(postgres.image).toMatch(/^postgres:16(\.|-|$)/);
    const data = mountsOf(postgres).find((m) => m.target === "/var/lib/postgresql/data");
    expect(Object.keys(compose.volumes ?? {}), "the database lives in a named volume").toContain(data?.source);
    const env = rawEnvironment(postgres);
    for (const key of ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]) expect(env[key], `postgres: ${key}`).toMatch(pureReference);
  });

  it("names every variable it interpolates in .env.example, with a value for each required one", () => {
    const refs = references(compose);
    const required = [...new Set(refs.filter((r) => !r.hasDefault).map((r) => r.name))].sort();
    const optional = [...new Set(refs.filter((r) => r.hasDefault).map((r) => r.name))].filter((n) => !required.includes(n));
    const unset = required.filter((n) => (envExample[n] ?? "") === "");
    expect(unset, "docker-compose.yml needs these, .env.example must set them").toEqual([]);
    const unmentioned = optional.filter((n) => envExample[n] === undefined && !envExampleMentioned.has(n));
    expect(unmentioned, ".env.example must mention these optional settings (a commented line will do)").toEqual([]);
    const unused = [...Object.keys(envExample), ...envExampleMentioned].filter((n) => !required.includes(n) && !optional.includes(n));
    expect(unused, ".env.example sets variables docker-compose.yml does not use").toEqual([]);
    expect(read(".gitignore").split("\n"), ".env holds the real secrets: keep it out of git").toContain(".env");
  });

  it("ships example secrets of the shape NDX_ENV=production demands", () => {
    for (const s of services) {
      const { problems } = load(s.name, { ...containerEnvironment(s.name), NDX_ENV: "production" });
      expect(secretProblems(problems), `${s.name}: .env.example's secrets would be refused in production`).toEqual([]);
    }
  });

  it("passes `docker compose config` when the Docker CLI has compose", () => {
    const version = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
    if (version.status !== 0) {
      console.info("docker compose is not available here: `docker compose config` not run (the checks above stand in for it)");
      return;
    }
    const result = spawnSync("docker", ["compose", "-f", "docker-compose.yml", "--env-file", ".env.example", "config", "-q"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
  });
});

describe("the Dockerfile", () => {
  const pinnedNode = (JSON.parse(read("package.json")) as { devDependencies: Record<string, string> }).devDependencies["node"];

  it.each(services)("builds $name on Node 24 slim, as a non-root user, with a health check", (s: ServiceSpec) => {
    const { image } = chain(s.name);
    expect(image, `${s.name}: the base image`).toMatch(/^node:24(\.\d+){0,2}-slim$/);
    expect(image, "the image's Node is package.json's pinned node").toBe(`node:${pinnedNode}-slim`);
    const user = lastOf(s.name, "USER")?.args ?? "root";
    expect(user.split(":")[0], `${s.name}: runs as root`).not.toMatch(/^(root|0)$/);
    const health = lastOf(s.name, "HEALTHCHECK")?.args ?? "NONE";
    expect(health, `${s.name}: HEALTHCHECK`).toMatch(/CMD .*\/health/);
    expect(health).toContain("process.env.PORT");
    expect(envOf(s.name)["HOST"], `${s.name}: must listen on every interface in a container`).toBe("0.0.0.0");
    for (const [name, value] of Object.entries(partEnvironmentDefaults)) {
      expect(envOf(s.name)[name], `${s.name}: ENV ${name}, as npm start sets it (partEnvironment.ts)`).toBe(value);
    }
  });

  it("installs production dependencies only", () => {
    const deps = stages.find((s) => s.name === "deps");
    const install = deps?.instructions.find((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args));
    expect(install?.args).toMatch(/--omit=dev/);
    const ignored = read(".dockerignore").split("\n").map((l) => l.trim());
    for (const entry of ["**/node_modules", ".env", "policy/dist"]) expect(ignored, `.dockerignore must exclude ${entry}`).toContain(entry);
  });

  it("builds the policy bundle with the pinned opa and gives it to the gateway", () => {
    expect(globalArgs["OPA_VERSION"], "OPA_VERSION must be policy/src/opaCli.ts's opaVersion").toBe(opaVersion);
    const opa = chain("opa");
    expect(opa.image).toMatch(/^golang:\d+\.\d+\.\d+/);
    expect(opa.stages.flatMap((s) => s.instructions).some((i) => i.args.includes("github.com/open-policy-agent/opa@${OPA_VERSION}"))).toBe(true);
    expect(stages.find((s) => s.name === "policy")?.instructions.some((i) => i.keyword === "RUN" && i.args.includes("policy/src/cli.ts build"))).toBe(true);
    const copy = allInstructions("gateway").find((i) => i.keyword === "COPY" && i.args.includes("--from=policy"));
    expect(copy?.args, "the gateway target copies the built bundle").toMatch(/policy\/dist/);
    expect(envOf("gateway")["POLICY_DIR"], "the gateway finds it at POLICY_DIR").toBe("/app/policy/dist");
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The Helm chart

interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly spec?: any;
  readonly data?: Record<string, string>;
  readonly binaryData?: Record<string, string>;
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string }; readonly fieldRef?: { readonly fieldPath: string } };
}

const chartDir = resolve(root, "deploy/helm/ndx");
const chartValues = parse(read("deploy/helm/ndx/values.yaml")) as { parts: Record<string, { port: number; developmentOnly?: boolean }> };
const developmentParts = ["identity-provider", "time-stamping-authority", "drp-legacy", "dmt-legacy"];
const tools = ensureChartTools();

function helmTemplate(sets: readonly string[], dir = chartDir): { text: string; objects: K8sObject[] } {
  const args = ["template", "ndx", dir, "--kube-version", kubernetesVersion, ...sets.flatMap((v) => ["--set", v])];
  const result = spawnSync(tools.helm, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return { text: result.stdout, objects };
}

const production = helmTemplate([]);
const development = helmTemplate(["development=true"]);
const deploymentOf = (objects: readonly K8sObject[], part: string) =>
  objects.find((o) => o.kind === "Deployment" && o.metadata.labels?.["app.kubernetes.io/component"] === part);

/** A secret's value for the loaders: .env.example's (the same shape production demands), or one made here. */
const signingKey = JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }));
function secretValue(key: string): string {
  if (key === "DATABASE_URL") return "postgres://ndx:secret@postgres.db.svc:5432/ndx";
  if (key === "CONSENT_SIGNING_KEY") return signingKey;
  return envExample[key] ?? `example-${key.toLowerCase()}-0123456789abcdef`;
}

/** The environment the chart gives a part's container: the image's ENV, then the Deployment's, secrets resolved. */
function chartEnvironment(objects: readonly K8sObject[], part: string): Record<string, string> {
  const container = deploymentOf(objects, part)?.spec.template.spec.containers[0];
  const env: Record<string, string> = { ...envOf(part) };
  for (const e of container?.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef !== undefined) env[e.name] = secretValue(e.valueFrom.secretKeyRef.key);
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = `ndx-${part}-5d8f7c9b6-x2x9k`;
  }
  return env;
}

describe("the Helm chart deploy/helm/ndx", () => {
  it("passes helm lint, in production and development", () => {
    for (const sets of [[], ["--set", "development=true"]]) {
      const lint = spawnSync(tools.helm, ["lint", chartDir, "--strict", ...sets], { encoding: "utf8" });
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    }
  });

  it(`validates with kubeconform -strict against the Kubernetes ${kubernetesVersion} schemas (with the policy bundle too)`, () => {
    const withPolicy = mkdtempSync(join(tmpdir(), "ndx-chart-"));
    try {
      cpSync(chartDir, withPolicy, { recursive: true });
      cpSync(resolve(root, "policy/dist"), join(withPolicy, "policy"), { recursive: true });
      const bundled = helmTemplate(["development=true"], withPolicy);
      expect(bundled.objects.find((o) => o.kind === "ConfigMap")?.binaryData?.["policy.wasm"], "the policy bundle's ConfigMap").toBeDefined();
      for (const rendered of [production, development, bundled]) {
        const check = spawnSync(
          tools.kubeconform,
          ["-strict", "-summary", "-kubernetes-version", kubernetesVersion, "-schema-location", tools.schemaLocation, "-"],
          { input: rendered.text, encoding: "utf8" },
        );
        expect(check.status, check.stdout + check.stderr).toBe(0);
        expect(check.stdout).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
      }
    } finally {
      rmSync(withPolicy, { recursive: true, force: true });
    }
  });

  it("runs every part of services.ts, the development ones (dev IdP, simulators, dev TSA) only with development=true", () => {
    expect(Object.keys(chartValues.parts).sort(), "values.yaml's parts are services.ts's").toEqual([...partNames].sort());
    const parts = (objects: readonly K8sObject[]) => objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.labels?.["app.kubernetes.io/component"]).sort();
    expect(parts(development.objects)).toEqual([...partNames].sort());
    expect(parts(production.objects)).toEqual(partNames.filter((n) => !developmentParts.includes(n)).sort());
    for (const name of developmentParts) expect(chartValues.parts[name]?.developmentOnly, `${name} is development-only`).toBe(true);
  });

  it.each(services)("runs $name from its Dockerfile target, on its services.ts port, with /health and /ready probes", (s: ServiceSpec) => {
    const container = deploymentOf(development.objects, s.name)?.spec.template.spec.containers[0];
    expect(container.image, "image ndx-<Dockerfile target>").toMatch(new RegExp(`/ndx-${s.name}:`));
    expect(stages.some((st) => st.name === s.name), `the Dockerfile has a target ${s.name}`).toBe(true);
    expect(container.ports).toEqual([{ name: "http", containerPort: s.port, protocol: "TCP" }]);
    expect(chartEnvironment(development.objects, s.name)["PORT"]).toBe(envOf(s.name)["PORT"]);
    expect(container.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(container.startupProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
    const service = development.objects.find((o) => o.kind === "Service" && o.metadata.name === `ndx-${s.name}`);
    expect(service?.spec.ports).toEqual([{ name: "http", port: s.port, targetPort: "http", protocol: "TCP" }]);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
  });

  it.each(services)("sets only variables $name reads, and $name loads with them (production and development)", (s: ServiceSpec) => {
    for (const [mode, rendered] of [["production", production], ["development", development]] as const) {
      if (mode === "production" && developmentParts.includes(s.name)) continue;
      const env = chartEnvironment(rendered.objects, s.name);
      const { read: readNames, problems } = load(s.name, env);
      expect(problems, `${s.name} refuses the chart's ${mode} environment`).toEqual([]);
      const unread = Object.keys(env).filter((k) => !readNames.has(k) && !(k in partEnvironmentDefaults));
      expect(unread, `${s.name}: set by the chart (${mode}) but not read`).toEqual([]);
      if (mode === "production" && "NDX_ENV" in env) expect(env["NDX_ENV"]).toBe("production");
    }
  });

  it("holds no secret value: no Secret object, and every secret a part needs (and every shared credential) from one", () => {
    for (const rendered of [production, development]) expect(rendered.objects.filter((o) => o.kind === "Secret")).toEqual([]);
    for (const s of services) {
      const container = deploymentOf(development.objects, s.name)?.spec.template.spec.containers[0];
      const byName = new Map((container.env as EnvVar[]).map((e) => [e.name, e]));
      const { read: readNames } = load(s.name, chartEnvironment(development.objects, s.name));
      const paired = sharedCredentials.flat().filter((n) => readNames.has(n));
      for (const secret of new Set([...secretsRequiredOutsideDevelopment(s.name), ...paired, ...(readNames.has("DATABASE_URL") ? ["DATABASE_URL"] : [])])) {
        if (!byName.has(secret)) continue; // an optional secret the chart does not set (a development default)
        expect(byName.get(secret)?.valueFrom?.secretKeyRef, `${s.name}: ${secret} must come from the Secret`).toBeDefined();
      }
      for (const e of container.env as EnvVar[]) expect(String(e.value ?? ""), `${s.name}: ${e.name} holds credentials`).not.toMatch(/:\/\/[^/@]+:[^/@]+@/);
    }
    // Both sides of a shared credential read the same key of the Secret.
    for (const group of sharedCredentials) {
      const keys = new Set(
        services.flatMap((s) => {
          const env = deploymentOf(development.objects, s.name)?.spec.template.spec.containers[0].env as EnvVar[];
          return env.filter((e) => group.includes(e.name)).map((e) => e.valueFrom?.secretKeyRef?.key);
        }),
      );
      expect(keys.size, `${group.join("/")}: one key of the Secret`).toBe(1);
    }
  });

  it("is production-safe by default: NDX_ENV=production, GraphiQL and introspection off, a gateway that scales and keeps serving", () => {
    const gateway = chartEnvironment(production.objects, "gateway");
    const config = loadGatewayConfig(gateway);
    expect(config.GRAPHIQL).toBe(false);
    expect(config.INTROSPECTION).toBe(false);
    expect(config.rateLimit.global, "rate limits held across replicas (PostgreSQL)").toBe(true);
    const hpa = production.objects.find((o) => o.kind === "HorizontalPodAutoscaler");
    expect(hpa?.spec.scaleTargetRef.name).toBe("ndx-gateway");
    expect(Number(gateway["RATE_LIMIT_REPLICAS"]), "the share when the database is unreachable: the most replicas").toBe(hpa?.spec.maxReplicas);
    expect(production.objects.find((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === "ndx-gateway")?.spec.maxUnavailable).toBe(1);
    const pod = deploymentOf(production.objects, "gateway")?.spec.template.spec;
    const grace = Number(chartEnvironment(production.objects, "gateway")["SHUTDOWN_GRACE_MS"]);
    expect(pod.terminationGracePeriodSeconds * 1000, "Kubernetes waits for the drain before SIGKILL").toBeGreaterThan(grace + pod.containers[0].lifecycle.preStop.sleep.seconds * 1000);
  });

  it("lets subgraphs and adapters be reached only from the gateway, the consent engine from the gateway and the ingress", () => {
    const from = (part: string) => {
      const policy = development.objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === `ndx-${part}`);
      const peers: { podSelector?: { matchLabels?: Record<string, string> } }[] = policy?.spec.ingress[0].from ?? [];
      return peers.map((peer) => peer.podSelector?.matchLabels?.["app.kubernetes.io/component"] ?? "ingress").sort();
    };
    for (const part of ["drp-rest", "dmt-soap"]) expect(from(part), part).toEqual(["gateway"]);
    // The consent engine asks the registry who guards whom (guardian consent).
    expect(from("registry")).toEqual(["consent-engine", "gateway"]);
    // The exchange's register is also followed by the consent engine; the engine is asked by the exchange for consent counts.
    expect(from("exchange")).toEqual(["consent-engine", "gateway"]);
    expect(from("consent-engine")).toEqual(["exchange", "gateway", "ingress"]);
    expect(from("drp-legacy")).toEqual(["drp-rest"]);
    expect(from("dmt-legacy")).toEqual(["dmt-soap"]);
    const policies = development.objects.filter((o) => o.kind === "NetworkPolicy").map((o) => o.metadata.name.replace(/^ndx-/, "")).sort();
    expect(policies, "every part has its policy").toEqual([...partNames].sort());
  });
});
