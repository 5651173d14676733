/**
 * The development TSA answers standard RFC 3161 requests: `openssl ts -query` makes one, we POST it as
 * application/timestamp-query, and `openssl ts -verify` (Debian's openssl, not our own reading of the format) checks
 * the reply against the CA from GET /ca.pem and the TSA certificate from GET /chain.pem. A changed file fails.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@ndx/platform";
import { loadOrCreateAuthority, startTimeStampingAuthority, type RunningTimeStampingAuthority } from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "ndx-tsa-"));
const dataDir = join(work, "data");
const at = (name: string) => join(work, name);
let tsa: RunningTimeStampingAuthority;

beforeAll(async () => {
  tsa = await startTimeStampingAuthority({ authority: await loadOrCreateAuthority(dataDir), logger: createLogger("tsa-test", "silent") });
  writeFileSync(at("ca.pem"), await (await fetch(`${tsa.url}/ca.pem`)).text());
  const chain = await (await fetch(`${tsa.url}/chain.pem`)).text();
  writeFileSync(at("tsa.pem"), chain.slice(0, chain.indexOf("-----END CERTIFICATE-----") + 26));
});
afterAll(async () => {
  await tsa.close();
  rmSync(work, { recursive: true, force: true });
});

function openssl(...args: string[]) {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

async function stamp(query: string, reply: string): Promise<Response> {
  const response = await fetch(tsa.url, {
    method: "POST",
    headers: { "content-type": "application/timestamp-query" },
    body: readFileSync(at(query)),
  });
  writeFileSync(at(reply), new Uint8Array(await response.clone().arrayBuffer()));
  return response;
}

describe("the development time-stamping authority", () => {
  it("answers openssl's request with a token openssl verifies, and fails it for changed data", async () => {
    writeFileSync(at("data.txt"), "a checkpoint's signature\n");
    execFileSync("openssl", ["ts", "-query", "-data", at("data.txt"), "-sha256", "-cert", "-out", at("q.tsq")]);
    const response = await stamp("q.tsq", "r.tsr");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/timestamp-reply");
    const verify = (data: string) => openssl("ts", "-verify", "-data", at(data), "-in", at("r.tsr"), "-CAfile", at("ca.pem"), "-untrusted", at("tsa.pem"));
    const ok = verify("data.txt");
    expect(ok.out).toContain("Verification: OK");
    expect(ok.status).toBe(0);

    writeFileSync(at("changed.txt"), "a checkpoint's signaturE\n");
    const changed = verify("changed.txt");
    expect(changed.out).toContain("Verification: FAILED");
    expect(changed.out).toContain("message imprint mismatch");
    expect(changed.status).not.toBe(0);
  });

  it("states SHA-256, its policy and the request's nonce in the token; without certReq the certificate is given by the verifier", async () => {
    writeFileSync(at("other.txt"), "another\n");
    execFileSync("openssl", ["ts", "-query", "-data", at("other.txt"), "-sha256", "-out", at("q2.tsq")]);
    await stamp("q2.tsq", "r2.tsr");
    const text = openssl("ts", "-reply", "-in", at("r2.tsr"), "-text").out;
    expect(text).toContain("Status: Granted.");
    expect(text).toContain("Hash Algorithm: sha256");
    expect(text).toContain("Policy OID: 2.999.3161.1");
    expect(text).toMatch(/Nonce: 0x[0-9A-F]+/);
    const verified = openssl("ts", "-verify", "-data", at("other.txt"), "-in", at("r2.tsr"), "-CAfile", at("ca.pem"), "-untrusted", at("tsa.pem"));
    expect(verified.out).toContain("Verification: OK");
  });

  it("rejects a foreign policy and a SHA-1 imprint with their failure info, and refuses other content types", async () => {
    execFileSync("openssl", ["ts", "-query", "-data", at("data.txt"), "-sha1", "-out", at("sha1.tsq")]);
    await stamp("sha1.tsq", "sha1.tsr");
    expect(openssl("ts", "-reply", "-in", at("sha1.tsr"), "-text").out).toMatch(/Status: Rejected[\s\S]*unrecognized or unsupported algorithm/);
    execFileSync("openssl", ["ts", "-query", "-data", at("data.txt"), "-sha256", "-tspolicy", "1.2.3.4", "-out", at("policy.tsq")]);
    await stamp("policy.tsq", "policy.tsr");
    expect(openssl("ts", "-reply", "-in", at("policy.tsr"), "-text").out).toMatch(/Status: Rejected[\s\S]*the requested TSA policy is not supported/);
    const wrongType = await fetch(tsa.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(wrongType.status).toBe(415);
    const get = await fetch(tsa.url);
    expect(get.status).toBe(405);
  });

  it("keeps its CA across restarts (tokens stay verifiable) and serves health, readiness and metrics", async () => {
    const again = await loadOrCreateAuthority(dataDir);
    expect(again.created).toBe(false);
    expect(again.caPem).toBe(readFileSync(at("ca.pem"), "utf8"));
    expect((await fetch(`${tsa.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${tsa.url}/ready`)).json()).toEqual({ status: "ready", checks: { signing: "ok" } });
    const metrics = await (await fetch(`${tsa.url}/metrics`)).text();
    expect(metrics).toMatch(/ndx_tsa_requests_total\{outcome="granted",service="time-stamping-authority"\} [1-9]/);
    expect(metrics).toContain('ndx_tsa_requests_total{outcome="badAlg",service="time-stamping-authority"} 1');
  });
});
