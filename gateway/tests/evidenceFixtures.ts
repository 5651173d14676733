/** A development TSA on a free port (its CA kept in a temporary directory), and openssl as a verifier of its tokens. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { parseGatewaySigningKey, type GatewaySigningKey } from "@ndx/platform";
import { loadOrCreateAuthority, startTimeStampingAuthority, type Authority, type RunningTimeStampingAuthority } from "@ndx/time-stamping-authority";
import { logger } from "./harness.ts";

export interface TestTsa {
  readonly url: string;
  readonly caFile: string;
  readonly dir: string;
  /** Stops answering (connections refused) until `start()`. */
  stop(): Promise<void>;
  /** Answers again, on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(join(tmpdir(), "ndx-evidence-tsa-"));
  const authority: Authority = await loadOrCreateAuthority(join(dir, "tsa"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, authority.caPem);
  let running: RunningTimeStampingAuthority | undefined = await startTimeStampingAuthority({ authority, logger });
  const url = running.url;
  const port = Number(new URL(url).port);
  return {
    url,
    caFile,
    dir,
    async stop() {
      await running?.close();
      running = undefined;
    },
    async start() {
      running ??= await startTimeStampingAuthority({ authority, logger, port });
    },
    async close() {
      await running?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const newCheckpointKey = (): GatewaySigningKey =>
  parseGatewaySigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString());

export function openssl(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}
