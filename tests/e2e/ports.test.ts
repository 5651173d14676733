/** npm start's port settings (scripts/ports.ts): every unusable `<NAME>_PORT` is named at once, before anything starts. */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "@ndx/platform/dev";
import { describe, expect, it } from "vitest";
import { badPorts, readPorts, urlsOf } from "../../scripts/ports.ts";
import { services } from "../../scripts/services.ts";

const root = resolve(import.meta.dirname, "../..");

/** Runs `npm start` (scripts/start.ts) with these variables; resolves once it exits (or fails the test after 20 s). */
async function startWith(env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const began = Date.now();
  const child = spawn(process.execPath, [resolve(root, "scripts/start.ts")], {
    cwd: root,
    env: { ...process.env, ...env, NDX_DATA_DIR: join(tmpdir(), "ndx-ports-test-unused") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill("SIGINT"), 20_000);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  return { code, output, ms: Date.now() - began };
}

/** Free ports for every part, so that only the variable under test can be wrong. */
async function freePorts(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const taken = new Set<number>();
  for (const s of services) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    env[`${s.name.toUpperCase().replaceAll("-", "_")}_PORT`] = String(port);
  }
  return env;
}

describe("port settings", () => {
  it("are the defaults, or <NAME>_PORT, and give every URL", () => {
    const settings = readPorts(services, { DRP_REST_PORT: "5002" });
    expect(settings.problems).toEqual([]);
    expect(settings.ports).toMatchObject({ gateway: 4000, "identity-provider": 9000, "drp-rest": 5002 });
    expect(urlsOf(settings.ports)).toMatchObject({ gateway: "http://localhost:4000", "drp-rest": "http://localhost:5002" });
  });

  it("name every variable that is not a port, is a bad port, or is given twice", () => {
    const { problems } = readPorts(services, { GATEWAY_PORT: "6000", REGISTRY_PORT: "eighty", DRP_REST_PORT: "0", DMT_SOAP_PORT: "9000" });
    expect(problems).toHaveLength(4);
    expect(problems).toContainEqual(expect.stringMatching(/^GATEWAY_PORT=6000: port 6000 is on the fetch standard's list of bad ports/));
    expect(problems).toContainEqual(expect.stringMatching(/^REGISTRY_PORT=eighty: not a TCP port/));
    expect(problems).toContainEqual(expect.stringMatching(/^DRP_REST_PORT=0: not a TCP port/));
    expect(problems).toContainEqual(expect.stringMatching(/^IDENTITY_PROVIDER_PORT \(default 9000\): port 9000 is already dmt-soap's \(DMT_SOAP_PORT\)/));
  });

  it("know every port fetch refuses (the list is Node's fetch's own)", async () => {
    for (const port of badPorts) {
      const error = await fetch(`http://127.0.0.1:${port}/`).then(() => undefined, (e: unknown) => e);
      expect(error instanceof Error && error.cause instanceof Error ? error.cause.message : error, `port ${port}`).toBe("bad port");
    }
    const fine = await freePort();
    const error = await fetch(`http://127.0.0.1:${fine}/`).then(() => undefined, (e: unknown) => e);
    expect(error instanceof Error && error.cause instanceof Error ? error.cause.message : "", `port ${fine}`).not.toBe("bad port");
  });
});

describe("npm start with an unusable port", () => {
  it("GATEWAY_PORT=6000 fails at once naming the variable, the port and why", async () => {
    const { code, output, ms } = await startWith({ ...(await freePorts()), GATEWAY_PORT: "6000" });
    expect(code).toBe(2);
    expect(ms).toBeLessThan(10_000);
    expect(output).toContain("GATEWAY_PORT=6000: port 6000 is on the fetch standard's list of bad ports");
    expect(output).toContain("nothing was started");
    expect(output).not.toContain("[start] registry started");
  });

  it("a port already in use fails at once naming its variable", async () => {
    const ports = await freePorts();
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(Number(ports["DRP_REST_PORT"]), "127.0.0.1", r));
    try {
      const { code, output } = await startWith(ports);
      expect(code).toBe(2);
      expect(output).toContain(`DRP_REST_PORT=${ports["DRP_REST_PORT"]}: port ${ports["DRP_REST_PORT"]} is already in use on 127.0.0.1`);
      // launcher.ts starts again on other free ports when it reads EADDRINUSE (a free port taken in between).
      expect(output).toContain("EADDRINUSE");
      expect(output).not.toContain("[start] registry started");
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});
