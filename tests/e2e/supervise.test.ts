/**
 * `npm start` keeps running when a part crashes: the part is restarted and the gateway stays up. And `npm run token`
 * finds the identity provider, gateway and portal on the ports npm start was given (none of them the defaults here).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "@ndx/platform/dev";
import { afterAll, describe, expect, it } from "vitest";
import { portVariable } from "../../scripts/ports.ts";
import { services } from "../../scripts/services.ts";
import { grant, isListening, startNdx } from "./launcher.ts";

const root = resolve(import.meta.dirname, "../..");
const dataDir = mkdtempSync(join(tmpdir(), "ndx-supervise-"));
const loopDir = mkdtempSync(join(tmpdir(), "ndx-crash-loop-"));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(loopDir, { recursive: true, force: true });
});

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm run token -- <args>` as a user runs it, with these port variables. */
async function npmToken(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn("npm", ["run", "--silent", "token", "--", ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  return { code, out, err };
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

describe("npm start, supervised", () => {
  it("restarts a part that was killed while the gateway stays up, and npm run token follows the port settings", async () => {
    const ndx = await startNdx(dataDir);
    try {
      const pidOf = (name: string) => Number(new RegExp(`\\[start\\] ${name} started \\(pid (\\d+)`).exec(ndx.output())?.[1]);
      const gatewayPid = pidOf("gateway");
      const drpPid = pidOf("drp-rest");
      expect(drpPid).toBeGreaterThan(0);

      process.kill(drpPid, "SIGKILL");
      await until(() => ndx.output().includes("[start] drp-rest is ready again"), "drp-rest to come back");
      expect(ndx.output()).toContain("[start] drp-rest exited (code -, signal SIGKILL); restarting in 0.5s (restart 1)");
      expect(ndx.output()).toMatch(/\[start\] drp-rest restarted \(pid \d+\)/);
      expect(ndx.process.exitCode).toBeNull();
      expect(ndx.output()).not.toContain("[start] gateway exited");
      expect(() => process.kill(gatewayPid, 0)).not.toThrow();
      expect(await isListening(ndx.urls["gateway"] ?? "")).toBe(true);

      // npm run token with the same port variables as npm start (every one of them not the default here).
      const ports = Object.fromEntries(services.map((s) => [portVariable(s.name), new URL(ndx.urls[s.name] ?? "").port]));
      expect(ports["IDENTITY_PROVIDER_PORT"]).not.toBe("9000");
      const app = await npmToken(["passport-app", "--raw"], ports);
      expect(app.err).toBe("");
      expect(app.code).toBe(0);
      const token = app.out.trim();
      expect(claims(token)).toMatchObject({ iss: ndx.urls["identity-provider"], aud: `${ndx.urls["gateway"]}/graphql` });

      // The token works at the gateway, and the restarted adapter answers through it.
      const gateway = `${ndx.urls["gateway"]}/graphql`;
      const ask = async () => {
        const response = await fetch(gateway, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-purpose": "passport-application" },
          body: JSON.stringify({ query: '{ person(nic: "199012345678") { permanentAddress } }' }),
        });
        return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string; consentRequestId: string } }[] };
      };
      const asked = await ask();
      expect(asked.errors?.[0]?.extensions.code).toBe("CONSENT_REQUIRED");
      await grant(ndx.urls["consent-engine"] ?? "", asked.errors?.[0]?.extensions.consentRequestId ?? "", "199012345678");
      expect(await ask()).toEqual({ data: { person: { permanentAddress: "Plot 7, Zobwe Avenue, Ilanga" } } });

      // A staff sign-in goes through the portal's callback on its port.
      const staff = await npmToken(["registrar.maker", "--raw"], ports);
      expect(staff.err).toBe("");
      expect(claims(staff.out.trim())).toMatchObject({ iss: ndx.urls["identity-provider"], aud: `${ndx.urls["gateway"]}/graphql` });
    } finally {
      expect(await ndx.stop()).toBe(0);
    }
    for (const url of Object.values(ndx.urls)) expect(await isListening(url)).toBe(false);
  });

  it("stops everything, saying why, when a part is in a crash loop", async () => {
    // A registry key that is not 32 bytes: the registry exits at once, every time it is started.
    const failed = await startNdx(loopDir, { REGISTRY_KEK: "short" }).then(
      () => new Error("npm start came up"),
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const output = failed.message;
    expect(output).toMatch(/^npm start exited with 1 before it was ready/);
    expect(output).toContain("REGISTRY_KEK must be 32 random bytes");
    for (const [restart, wait] of [[1, "0.5s"], [2, "1s"], [3, "2s"], [4, "4s"]] as const) {
      expect(output).toContain(`[start] registry exited (code 1, signal -); restarting in ${wait} (restart ${restart})`);
    }
    expect(output).toContain("[start] registry exited (code 1, signal -) 5 times within 60s: crash loop, GIVING UP on registry.");
    expect(output).toContain("[start] a part is in a crash loop: stopping everything");
    // The parts started beside it were stopped, not left behind.
    const others = [...output.matchAll(/\[start\] (drp-legacy|dmt-legacy|identity-provider) started \(pid (\d+)/g)].map((m) => Number(m[2]));
    expect(others).toHaveLength(3);
    for (const pid of others) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
  });

  it("stops everything when the program that started it goes away, even killed outright", async () => {
    // A program that starts npm start over IPC (as launcher.ts does), its output going to a file (so that nothing but
    // the IPC channel tells it its parent is gone), and that is then killed with SIGKILL.
    const env: Record<string, string> = { NDX_DATA_DIR: join(loopDir, "orphan") };
    for (const s of services) env[portVariable(s.name)] = String(await freePort());
    const log = join(loopDir, "orphan.log");
    const program = `
      const { spawn } = require("node:child_process");
      const out = require("node:fs").openSync(${JSON.stringify(log)}, "w");
      const ndx = spawn(process.execPath, [${JSON.stringify(resolve(root, "scripts/start.ts"))}], { stdio: ["ignore", out, out, "ipc"] });
      console.log("launcher " + ndx.pid);`;
    const parent = spawn(process.execPath, ["-e", program], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    parent.stdout.on("data", (c: Buffer) => (output += c.toString()));
    const logged = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
    await until(() => /launcher \d+/.test(output) && /\[start\] identity-provider started \(pid \d+/.test(logged()), "the first parts to start");
    const pids = [/launcher (\d+)/.exec(output), /registry started \(pid (\d+)/.exec(logged()), /identity-provider started \(pid (\d+)/.exec(logged())].map((m) => Number(m?.[1]));
    parent.kill("SIGKILL");
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => pids.every((pid) => !alive(pid)), `npm start (${pids.join(", ")}) to stop`, 30_000);
    expect(logged()).toContain("[start] the program that started npm start went away: stopping everything");
  });
});
