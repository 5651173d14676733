/**
 * Keeps docker-compose.yml, the Dockerfile and .env.example honest without a Docker engine: the compose services are
 * exactly the parts `npm start` runs (scripts/services.ts) plus postgres, on the same ports, wired to each other the
 * way services.ts wires them, each setting only variables its part's config reads, every secret from the env file.
 * A part added to services.ts and not to compose (or the other way round) fails here, and so does a part this test
 * does not know how to configure (add its loader in deploymentSources.ts, which reads the deployment files). The Helm
 * chart is held to the same in helmChart.test.ts.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { opaVersion } from "@ndx/policy";
import { partEnvironmentDefaults } from "@ndx/platform/dev";
import { services, type ServiceSpec } from "../../scripts/services.ts";
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
