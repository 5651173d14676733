/**
 * Console sessions in a sealed cookie: the session is JSON encrypted and authenticated with AES-256-GCM under a key
 * derived from the session secret, so any console replica reads it and a browser can neither read nor change it
 * (the staff's access token is in it). HttpOnly, SameSite=Lax; outside development Secure under a __Host- name.
 * Each session has a random id that form tokens are bound to; signing in starts a new one (no fixation).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** A local path to go back to after signing in. */
  readonly returnTo: string;
}

export interface StaffUser {
  /** The staff member's username (`sub`). */
  readonly username: string;
  readonly name: string;
  /** The `roles` claim: exchange_admin, member_admin, provider_data_owner... */
  readonly roles: readonly string[];
  /** The access token for the gateway, sent with every GraphQL call. */
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly accessTokenExpiresAt: number;
}

export interface Session {
  /** Random, 128 bits: form tokens are bound to it. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly user?: StaffUser;
  readonly login?: PendingLogin;
}

export interface SessionCookieOptions {
  readonly secret: string;
  /** Secure cookies with a __Host- name (outside development). */
  readonly secure: boolean;
  /** @default 28800 */
  readonly ttlSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface SessionCookies {
  readonly cookieName: string;
  /** The request's session, or undefined (none, expired, or not sealed by us). */
  read(request: Request): Session | undefined;
  /** A new session (a new id) holding `data`. */
  start(data: Pick<Session, "user" | "login">): Session;
  /** The Set-Cookie header that stores `session`. */
  cookie(session: Session): string;
  /** The Set-Cookie header that removes it. */
  clear(): string;
}

export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function createSessionCookies(options: SessionCookieOptions): SessionCookies {
  const key = Buffer.from(hkdfSync("sha256", options.secret, "ndx-console", "session cookie", 32));
  const ttl = options.ttlSeconds ?? 8 * 3600;
  const now = options.now ?? Date.now;
  const cookieName = options.secure ? "__Host-ndx_console" : "ndx_console";
  const attributes = `Path=/; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;

  const seal = (session: Session): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(session), "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  };
  const unseal = (value: string): Session | undefined => {
    if (!/^[A-Za-z0-9_-]{40,6000}$/.test(value)) return undefined;
    const raw = Buffer.from(value, "base64url");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      return JSON.parse(json) as Session;
    } catch {
      return undefined;
    }
  };

  return {
    cookieName,
    read(request) {
      const value = cookieValue(request, cookieName);
      const session = value === undefined ? undefined : unseal(value);
      return session !== undefined && session.expiresAt > now() ? session : undefined;
    },
    start(data) {
      return { id: randomBytes(16).toString("base64url"), expiresAt: now() + ttl * 1000, ...data };
    },
    cookie(session) {
      const maxAge = Math.max(0, Math.floor((session.expiresAt - now()) / 1000));
      return `${cookieName}=${seal(session)}; ${attributes}; Max-Age=${maxAge}`;
    },
    clear: () => `${cookieName}=; ${attributes}; Max-Age=0`,
  };
}
