/**
 * The TSA's keys and certificates, made at first start and kept in its data directory so that tokens it issued stay
 * verifiable against the same CA after a restart: ca.pem (the trust anchor a verifier is given), tsa.pem (the
 * time-stamping certificate), tsa-key.pem (its private key, 0600). The CA's private key is used once, to issue the TSA
 * certificate, and is not kept: nothing else is ever issued by this CA.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type * as pkijs from "pkijs";
import { certificatePem, ecdsaP256, fromPem, issueCertificate, parseCertificate, toPem } from "./certificates.ts";

export interface Authority {
  readonly ca: pkijs.Certificate;
  readonly tsa: pkijs.Certificate;
  readonly signingKey: CryptoKey;
  /** The CA certificate, PEM. */
  readonly caPem: string;
  /** The TSA certificate then the CA certificate, PEM. */
  readonly chainPem: string;
  /** True when this start made them. */
  readonly created: boolean;
}

const files = { ca: "ca.pem", tsa: "tsa.pem", key: "tsa-key.pem" } as const;

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function assemble(caPem: string, tsaPem: string, signingKey: CryptoKey, created: boolean): Authority {
  const ca = parseCertificate(fromPem(caPem, "CERTIFICATE"));
  const tsa = parseCertificate(fromPem(tsaPem, "CERTIFICATE"));
  return { ca, tsa, signingKey, caPem, chainPem: tsaPem + caPem, created };
}

/** Loads the authority from `dataDir`, or makes a new CA and TSA certificate there when none is kept yet. */
export async function loadOrCreateAuthority(dataDir: string): Promise<Authority> {
  const [caPem, tsaPem, keyPem] = await Promise.all(Object.values(files).map((f) => readIfPresent(join(dataDir, f))));
  if (caPem !== undefined && tsaPem !== undefined && keyPem !== undefined) {
    const key = await crypto.subtle.importKey("pkcs8", fromPem(keyPem, "PRIVATE KEY"), ecdsaP256, false, ["sign"]);
    return assemble(caPem, tsaPem, key, false);
  }
  const made = await createAuthority();
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, files.key), made.keyPem, { mode: 0o600 });
  await writeFile(join(dataDir, files.tsa), made.tsaPem);
  await writeFile(join(dataDir, files.ca), made.caPem);
  return assemble(made.caPem, made.tsaPem, made.signingKey, true);
}

/** A new CA (ten years) and the TSA certificate it issues (five years), in memory. */
export async function createAuthority(): Promise<{ caPem: string; tsaPem: string; keyPem: string; signingKey: CryptoKey }> {
  const caKeys = await crypto.subtle.generateKey(ecdsaP256, false, ["sign", "verify"]);
  const tsaKeys = await crypto.subtle.generateKey(ecdsaP256, true, ["sign", "verify"]);
  const ca = await issueCertificate({ commonName: "NDX development time-stamping CA", publicKey: caKeys.publicKey, issuerKey: caKeys.privateKey, ca: true, validDays: 3650 });
  const tsa = await issueCertificate({
    commonName: "NDX development time-stamping authority",
    publicKey: tsaKeys.publicKey,
    issuer: ca,
    issuerKey: caKeys.privateKey,
    ca: false,
    validDays: 1825,
  });
  const keyPem = toPem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", tsaKeys.privateKey));
  return { caPem: certificatePem(ca), tsaPem: certificatePem(tsa), keyPem, signingKey: tsaKeys.privateKey };
}
