/**
 * The exchange as `npm start` starts it (src/main.ts, configured from the environment), over real HTTP: only the
 * gateway's caller assertions get a caller in, /health, /ready and /metrics stay open, the register needs its token,
 * a restart on the same data does not seed again, and SIGTERM with a register stream open ends the process cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type ForwardedCaller, type Listening } from "@ndx/platform";
import { freePort } from "@ndx/platform/dev";
import { createTestGateway } from "@ndx/platform/testing";
import { sseReader } from "./sse.ts";

const evilAdmin: ForwardedCaller = { kind: "staff", id: "evil.admin", roles: ["exchange_admin"], traceId: undefined };
const admin: ForwardedCaller = { kind: "staff", id: "exchange.admin", roles: ["exchange_admin"], traceId: undefined };
const suspend = { query: `mutation { suspendApplication(id: "passport-app", reason: "evil") { status } }` };
const token = "dev-exchange-service-token";

describe("the exchange as started by npm start", () => {
  const gateway = createTestGateway();
  let jwks: Listening;
  let dataDir = "";
  let url = "";
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    output = "";
    const c = spawn(process.execPath, [resolve(import.meta.dirname, "../src/main.ts")], {
      env: {
        ...process.env,
        PORT: String(port),
        PGLITE_DIR: dataDir,
        DATABASE_URL: "",
        LOG_LEVEL: "info",
        OIDC_ISSUER: "http://127.0.0.1:9",
        GATEWAY_JWKS_URL: `${jwks.url}/.well-known/jwks.json`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    c.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    c.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    for (let i = 0; ; i++) {
      if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) break;
      if (i > 600 || c.exitCode !== null) throw new Error(`the exchange did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child = c;
  };
  const stop = async () => {
    const c = child;
    if (c === undefined || c.exitCode !== null) return undefined;
    const exited = new Promise<number | null>((r) => c.once("exit", (code) => r(code)));
    c.kill("SIGTERM");
    return exited;
  };

  beforeAll(async () => {
    jwks = await listen((_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(gateway.signer.jwks)), 0);
    dataDir = mkdtempSync(join(tmpdir(), "ndx-exchange-"));
    await start();
  }, 90_000);

  afterAll(async () => {
    await stop();
    await jwks?.close();
    if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (headers: Record<string, string>, body: unknown) =>
    fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  it("lets in only the gateway's assertions for the exchange", async () => {
    for (const [what, headers] of Object.entries(await gateway.forgeries("exchange", evilAdmin))) {
      expect({ what, status: (await post(headers, suspend)).status }).toEqual({ what, status: 401 });
    }
    const genuine = (await (await post(await gateway.headers("exchange", admin), { query: "{ members { code } }" })).json()) as { data?: unknown };
    expect(genuine.data).toEqual({ members: ["DIE", "DMT", "DRP", "RGD", "SWD"].map((code) => ({ code })) });
    for (const open of ["/health", "/ready", "/metrics"]) expect((await fetch(`${url}${open}`)).status).toBe(200);
    expect((await fetch(`${url}/v1/register`)).status).toBe(401);
    expect((await fetch(`${url}/v1/register`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("ends cleanly on SIGTERM with a register stream open, and does not seed again on restart", async () => {
    const events = sseReader(await fetch(`${url}/v1/register/stream`, { headers: { authorization: `Bearer ${token}` } }));
    expect((await events.next())?.event).toBe("revision");
    const stopped = Date.now();
    expect(await stop()).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(5000);
    await expect(events.until(() => false, 2000)).rejects.toThrow();
    expect(output).toContain("exchange seeded");
    await start();
    expect(output).toContain("exchange has data; not seeded");
  }, 90_000);
});
