/**
 * Checks a WS-Security UsernameToken (UsernameToken profile 1.0): PasswordDigest = Base64(SHA-1(nonce + created +
 * password)) or PasswordText, a Created time within five minutes of now, and a nonce not seen in that window.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { text } from "./soapMessages.ts";

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export type TokenVerdict = "ok" | "missing" | "failed";

const windowMs = 5 * 60 * 1000;

export function createTokenVerifier(credentials: Credentials, now: () => number = Date.now) {
  const seenNonces = new Map<string, number>();
  return (header: Record<string, unknown>): TokenVerdict => {
    const security = asRecord(header["Security"]);
    const token = asRecord(security?.["UsernameToken"]);
    if (token === undefined) return "missing";
    const username = text(token["Username"]);
    const passwordNode = token["Password"];
    const password = text(passwordNode);
    const type = asRecord(passwordNode)?.["@_Type"];
    if (username === undefined || password === undefined) return "failed";
    if (!equal(username, credentials.username)) return "failed";
    if (typeof type === "string" && type.endsWith("#PasswordDigest")) {
      const nonce = text(token["Nonce"]);
      const created = text(token["Created"]);
      if (nonce === undefined || created === undefined) return "failed";
      const at = Date.parse(created);
      const t = now();
      if (Number.isNaN(at) || Math.abs(t - at) > windowMs) return "failed";
      // Nonces are remembered in the order they were accepted, so the expired ones are at the front: stop at the
      // first that still counts (a full sweep on every call cost O(nonces in the window) per request under load).
      for (const [n, expires] of seenNonces) {
        if (expires >= t) break;
        seenNonces.delete(n);
      }
      if (seenNonces.has(nonce)) return "failed";
      const expected = createHash("sha1")
        .update(Buffer.concat([Buffer.from(nonce, "base64"), Buffer.from(created, "utf8"), Buffer.from(credentials.password, "utf8")]))
        .digest("base64");
      if (!equal(password, expected)) return "failed";
      seenNonces.set(nonce, t + windowMs);
      return "ok";
    }
    return equal(password, credentials.password) ? "ok" : "failed";
  };
}

function equal(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
