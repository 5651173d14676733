/**
 * Only the gateway may call the registry, and only for the caller it decided on. Issue 14 item 13: anyone holding
 * the one shared SUBGRAPH_TOKEN (the DMT adapter did) could submit a change request as a made-up `evil.maker`.
 * Here the registry is started as `npm start` starts it (src/main.ts, its configuration from the environment) and
 * attacked over real HTTP with every credential such a holder could have — the old token with caller headers, an
 * assertion the gateway signed for dmt, one of its own key, an expired one, alg none — and a browser asks for
 * GraphiQL. Then the same checks on a registry built in-process (the harness) for every refusal case.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type ForwardedCaller, type Listening } from "@ndx/platform";
import { freePort } from "@ndx/platform/dev";
import { createTestGateway, testBackends } from "@ndx/platform/testing";
import { loadRegistryConfig } from "../src/index.ts";
import { codes, gatewayHeaders, maker, newKey, startTestRegistry, submitMutation, type Body, type TestRegistry } from "./harness.ts";

const evilMaker: ForwardedCaller = { kind: "staff", id: "evil.maker", roles: ["registrar"], traceId: undefined };
const submission = {
  query: submitMutation,
  variables: {
    input: {
      register: "persons",
      operation: "UPDATE",
      recordId: "197712240099",
      baseVersion: 1,
      payload: { district: "Isamba" },
      reason: "evil",
      idempotencyKey: "evil-1",
    },
  },
};

describe("the registry as started by npm start, called directly", () => {
  const gateway = createTestGateway();
  let jwks: Listening;
  let child: ChildProcess;
  let url = "";
  let dataDir = "";
  let output = "";

  beforeAll(async () => {
    jwks = await listen((_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(gateway.signer.jwks)), 0);
    dataDir = mkdtempSync(join(tmpdir(), "ndx-registry-trust-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [resolve(import.meta.dirname, "../src/main.ts")], {
      env: {
        ...process.env,
        PORT: String(port),
        PGLITE_DIR: dataDir,
        SEED_GENERATED: "0",
        LOG_LEVEL: "warn",
        GATEWAY_JWKS_URL: `${jwks.url}/.well-known/jwks.json`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    for (let i = 0; ; i++) {
      const ready = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      if (i > 600 || child.exitCode !== null) throw new Error(`the registry did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    await jwks?.close();
    if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (headers: Record<string, string>, body: unknown = submission) =>
    fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  it("a made-up evil.maker cannot submit a change request with any credential it could hold", async () => {
    for (const [what, headers] of Object.entries(await gateway.forgeries("registry", evilMaker))) {
      const response = await post(headers);
      expect({ what, status: response.status }).toEqual({ what, status: 401 });
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe("UNAUTHENTICATED");
    }
    // Only an assertion the gateway signed for the registry gets a caller in: the registry acts on what it decided.
    const genuine = (await (await post(await gateway.headers("registry", maker), { query: "{ districts }" })).json()) as { data?: unknown };
    expect(genuine.data).toMatchObject({ districts: expect.any(Array) });
  });

  it("serves no GraphiQL page without the gateway's assertion; /health, /ready and /metrics stay open", async () => {
    const page = await fetch(`${url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(401);
    expect(await page.text()).not.toMatch(/graphiql/i);
    for (const open of ["/health", "/ready", "/metrics"]) expect((await fetch(`${url}${open}`)).status).toBe(200);
  });
});

for (const backend of testBackends().slice(0, 1)) {
  describe(`the registry in-process (${backend.name})`, () => {
    let t: TestRegistry;
    beforeAll(async () => {
      t = await startTestRegistry(backend, { generated: 0 });
    });
    afterAll(async () => {
      await t?.close();
    });

    it("writes nothing for a forged caller, and names the maker the gateway's assertion names", async () => {
      const gateway = createTestGateway();
      const forged = await gateway.forgeries("registry", evilMaker);
      for (const [what, headers] of Object.entries(forged)) {
        const response = await t.yoga.fetch("http://registry.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(submission),
        });
        expect({ what, status: response.status }).toEqual({ what, status: 401 });
      }
      // A key other than the one the registry was given (createTestGateway makes a new one) is not the gateway.
      const stranger = await t.yoga.fetch("http://registry.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...(await gateway.headers("registry", evilMaker)) },
        body: JSON.stringify(submission),
      });
      expect(stranger.status).toBe(401);
      const { n } = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM change_request")).rows[0] ?? { n: -1 };
      expect(n).toBe(0);

      const ok = await t.yoga.fetch("http://registry.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...(await gatewayHeaders(maker)) },
        body: JSON.stringify({ ...submission, variables: { input: { ...submission.variables.input, idempotencyKey: newKey() } } }),
      });
      const body = (await ok.json()) as Body & { data?: { submitChangeRequest?: { submittedBy: string } } };
      expect(codes(body)).toEqual([]);
      expect(body.data?.submitChangeRequest?.submittedBy).toBe("registrar.maker");
    });
  });
}

describe("configuration", () => {
  it("knows the gateway's keys at GATEWAY_JWKS_URL, which outside development must be set", () => {
    expect(loadRegistryConfig({}).gatewayTrust).toEqual({ jwks: "http://localhost:4000/.well-known/jwks.json", issuer: "ndx-gateway" });
    const secrets = { REGISTRY_KEK: Buffer.alloc(32, 7).toString("base64"), REGISTRY_EVENTS_TOKEN: "e".repeat(32) };
    expect(() => loadRegistryConfig({ NDX_ENV: "production", ...secrets })).toThrow(/GATEWAY_JWKS_URL: must be set/);
    const jwks = "https://gateway.internal/.well-known/jwks.json";
    expect(loadRegistryConfig({ NDX_ENV: "production", ...secrets, GATEWAY_JWKS_URL: jwks, GATEWAY_ISSUER: "https://gw" }).gatewayTrust).toEqual({
      jwks,
      issuer: "https://gw",
    });
  });
});
