/** Runs `npm start`'s launcher as a user would, on free ports and a data directory of the test's own. */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { loadFarajaland } from "@ndx/fixtures";
import { clientCredentialsToken, freePort } from "@ndx/platform/dev";
import { services } from "../../scripts/services.ts";

const root = resolve(import.meta.dirname, "../..");

export interface Started {
  readonly process: ChildProcess;
  readonly urls: Record<string, string>;
  output(): string;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Free ports are picked, released, then bound by the services: another process may take one in between. Such a
 * start is retried with new ports.
 */
export async function startNdx(dataDir: string, env: Record<string, string> = {}, attempts = 3): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dataDir, env);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof Error) || !error.message.includes("EADDRINUSE")) throw error;
    }
  }
}

async function startOnce(dataDir: string, env: Record<string, string>): Promise<Started> {
  const ports: Record<string, string> = {};
  const taken = new Set<number>();
  for (const s of services) {
    let port = await freePort();
    // The kernel may hand out a port again once it is released: never give two services the same one.
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports[`${s.name.toUpperCase().replaceAll("-", "_")}_PORT`] = String(port);
  }
  const child = spawn(process.execPath, [resolve(root, "scripts/start.ts")], {
    cwd: root,
    env: { ...process.env, ...ports, ...env, NDX_DATA_DIR: dataDir },
    // An IPC channel: npm start stops everything when this test process goes away without stopping it.
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  child.channel?.unref();
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const urls = await new Promise<Record<string, string>>((resolveUrls, reject) => {
    const timer = setInterval(() => {
      const match = /NDX_READY (\{.*\})/.exec(output);
      if (match?.[1] !== undefined) {
        clearInterval(timer);
        resolveUrls(JSON.parse(match[1]) as Record<string, string>);
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    process: child,
    urls,
    output: () => output,
    async stop() {
      child.kill("SIGINT");
      return exited;
    },
  };
}

export async function isListening(url: string): Promise<boolean> {
  try {
    // 5 s (was 1 s): a part that is up must be found listening while the whole system loads a 2-core CI machine.
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** A consumer application's token from the running identity provider (client credentials, fixture secret). */
export async function consumerToken(issuer: string, consumerId: string, audience?: string): Promise<string> {
  const clientSecret = loadFarajaland().consumers.find((c) => c.id === consumerId)?.clientSecret ?? "";
  return (await clientCredentialsToken({ issuer, clientId: consumerId, clientSecret, audience })).accessToken;
}

/** Grants a pending consent request through the consent engine's API (development service token). */
export async function grant(consentEngine: string, consentRequestId: string, citizenId: string, durationDays = 1): Promise<void> {
  const response = await fetch(`${consentEngine}/v1/consent-requests/${consentRequestId}/grant`, {
    method: "POST",
    headers: { authorization: "Bearer dev-consent-service-token", "content-type": "application/json" },
    body: JSON.stringify({ citizenId, durationDays }),
  });
  if (!response.ok) throw new Error(`grant failed: HTTP ${response.status} ${await response.text()}`);
}
