/**
 * A checkpoint as a compact JWS: the head of one audit chain (its sequence number and hash), when it was signed and
 * under which policy revision, signed with the checkpoint key (EdDSA or ES256, `kid` in the header). Verified against
 * the checkpoint JWKS only, with the algorithm pinned to the key's.
 */
import { CompactSign, compactVerify, createLocalJWKSet } from "jose";
import type { GatewaySigningKey, JsonWebKeySet } from "@ndx/platform";
import type { CheckpointSegment } from "./segmentRoot.ts";

const checkpointType = "ndx-audit-checkpoint";

export interface CheckpointClaims {
  readonly chain: string;
  readonly seq: number;
  readonly hash: string;
  /** ISO 8601. */
  readonly at: string;
  readonly policyRevision: string | null;
  /** The root of every event hash since the previous checkpoint (segmentRoot.ts); absent on checkpoints made before it. */
  readonly segment?: CheckpointSegment;
}

export async function signCheckpoint(key: GatewaySigningKey, claims: CheckpointClaims): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify({ typ: checkpointType, ...claims }));
  return new CompactSign(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: checkpointType }).sign(key.privateKey);
}

export type CheckpointCheck = { readonly ok: true; readonly claims: CheckpointClaims; readonly kid: string } | { readonly ok: false; readonly reason: string };

/** Verifies a checkpoint's JWS with the JWKS and returns what it signs; never throws. */
export async function verifyCheckpoint(jws: string, jwks: JsonWebKeySet): Promise<CheckpointCheck> {
  try {
    const keys = createLocalJWKSet({ keys: jwks.keys.map((k) => ({ ...k })) });
    const { payload, protectedHeader } = await compactVerify(jws, keys, { algorithms: ["EdDSA", "ES256"] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Partial<CheckpointClaims> & { typ?: unknown };
    if (protectedHeader.typ !== checkpointType || claims.typ !== checkpointType) return { ok: false, reason: "it is not an audit checkpoint" };
    if (typeof claims.chain !== "string" || typeof claims.seq !== "number" || typeof claims.hash !== "string" || typeof claims.at !== "string") {
      return { ok: false, reason: "its claims are incomplete" };
    }
    const segment = claims.segment;
    const withSegment =
      segment !== undefined && typeof segment.from === "number" && typeof segment.root === "string" ? { segment: { from: segment.from, root: segment.root } } : {};
    return {
      ok: true,
      kid: protectedHeader.kid ?? "",
      claims: { chain: claims.chain, seq: claims.seq, hash: claims.hash, at: claims.at, policyRevision: claims.policyRevision ?? null, ...withSegment },
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, reason: code === "ERR_JWKS_NO_MATCHING_KEY" ? "no key of the checkpoint JWKS has its kid" : "its signature does not verify" };
  }
}

/** What is time-stamped: the SHA-256 of the JWS's bytes. */
export function checkpointDigest(jws: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(jws));
}
