/**
 * Graceful shutdown, in a real process sent a real SIGTERM: a request in flight at SIGTERM completes with 200 (and
 * `Connection: close`), no new connection is accepted, and the process exits 0; past SHUTDOWN_GRACE_MS the
 * connections are closed and the process still exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { loadShutdownConfig } from "../src/index.ts";

const fixture = fileURLToPath(new URL("./fixtures/drainingService.ts", import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  child = undefined;
});

async function start(graceMs: number): Promise<{ port: number; exited: Promise<number | null>; received: (url: string) => Promise<void> }> {
  child = spawn(process.execPath, [fixture], { env: { ...process.env, SHUTDOWN_GRACE_MS: String(graceMs) }, stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  /** Resolves once the service has the request (in flight), instead of guessing with a fixed sleep. */
  const received = async (url: string) => {
    for (const end = Date.now() + 10_000; !output.includes(`received ${url}\n`); ) {
      if (Date.now() > end) throw new Error(`the service did not receive ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { port: Number(line.toString().trim()), exited, received };
}

/** One GET on its own connection: its status, `Connection` header and body, or the error that ended it. */
function get(port: number, ms: number | "stream"): Promise<{ status: number; connection: string | undefined; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: ms === "stream" ? "/stream" : `/?ms=${ms}`, agent: false, headers: ms === "stream" ? { accept: "text/event-stream" } : {} }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      res.on("error", (error) => resolve({ error: error.message }));
    });
    req.on("error", (error) => resolve({ error: error.message }));
    req.end();
  });
}

describe("graceful shutdown", () => {
  it("completes a request in flight at SIGTERM with 200, refuses new connections, and exits 0", async () => {
    const { port, exited, received } = await start(30_000);
    expect(await get(port, 0)).toMatchObject({ status: 200 });
    // In flight at SIGTERM (it answers 5 s after it arrived; the service is told to stop once it has it).
    const slow = get(port, 5000);
    await received("/?ms=5000");
    child!.kill("SIGTERM");
    // New connections are refused once the service has acted on SIGTERM (polled: a loaded machine may take a while,
    // where a fixed 200 ms was assumed); until then one is answered as usual, or reset while it stops listening.
    const refused = (r: Awaited<ReturnType<typeof get>>) => "error" in r && r.error.includes("ECONNREFUSED");
    let next = await get(port, 0);
    for (const end = Date.now() + 4000; !refused(next) && Date.now() < end; next = await get(port, 0)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(next).toMatchObject({ error: expect.stringContaining("ECONNREFUSED") });
    expect(await slow).toEqual({ status: 200, connection: "close", body: "done" });
    expect(await exited).toBe(0);
  });

  it("closes what is still in flight once SHUTDOWN_GRACE_MS has passed, and still exits", async () => {
    const { port, exited, received } = await start(500);
    const stuck = get(port, 60_000);
    await received("/?ms=60000");
    const t0 = performance.now();
    child!.kill("SIGTERM");
    expect(await stuck).toHaveProperty("error");
    expect(await exited).toBe(0);
    // About the 500 ms grace, not the request's 60 s (margin for a loaded CI machine).
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("ends an open event stream at once (its follower reconnects elsewhere) instead of waiting out the grace", async () => {
    const { port, exited, received } = await start(30_000);
    const stream = get(port, "stream");
    await received("/stream");
    const t0 = performance.now();
    child!.kill("SIGTERM");
    expect(await stream).toMatchObject({ status: 200, body: ": open\n\n" });
    expect(await exited).toBe(0);
    // At once, not after the 30 s grace (margin for a loaded CI machine).
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("reads SHUTDOWN_GRACE_MS, 25 s unless set", () => {
    expect(loadShutdownConfig({})).toEqual({ graceMs: 25_000 });
    expect(loadShutdownConfig({ SHUTDOWN_GRACE_MS: "5000" })).toEqual({ graceMs: 5000 });
    expect(() => loadShutdownConfig({ SHUTDOWN_GRACE_MS: "-1" })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
});
