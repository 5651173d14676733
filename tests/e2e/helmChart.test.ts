/**
 * The Helm chart (deploy/helm/ndx), held to what .test.ts holds docker-compose.yml to: its Deployments are the
 * parts (the development ones only with development=true), from the Dockerfile's targets, on services.ts's ports,
 * with /health and /ready probes and only variables each part reads, every secret from a Secret; it passes
 * `helm lint` and `kubeconform -strict` against the Kubernetes schemas (the pinned tools, scripts/tools.ts).
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { loadGatewayConfig } from "@ndx/gateway";
import { partEnvironmentDefaults } from "@ndx/platform/dev";
import { services, type ServiceSpec } from "../../scripts/services.ts";
import { ensureChartTools, kubernetesVersion } from "../../scripts/tools.ts";
import {
  root,
  read,
  sharedCredentials,
  partNames,
  envExample,
  stages,
  envOf,
  load,
  secretsRequiredOutsideDevelopment,
} from "./deploymentSources.ts";

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
