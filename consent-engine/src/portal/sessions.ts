/**
 * Portal sessions, kept in the database so they survive a restart: the cookie holds a random 256-bit id and only
 * its SHA-256 is stored. Cookies are HttpOnly and SameSite=Lax; with `secure` (outside development) also Secure,
 * under a __Host- name. A login replaces the session with a new id (no fixation).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@ndx/platform";

export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** A local path to go back to after signing in. */
  readonly returnTo: string;
}

export interface SessionUser {
  /** The citizen id (NIC) from the ID token's configured claim. */
  readonly subject: string;
  readonly name: string;
  /** For RP-initiated logout. */
  readonly idToken: string;
  /** From the ID token's `kind` claim, when the provider sends one. */
  readonly kind?: "citizen" | "staff";
}

export interface SessionData {
  readonly user?: SessionUser;
  readonly login?: PendingLogin;
}

export interface Session {
  readonly idHash: string;
  readonly data: SessionData;
}

export interface SessionStoreOptions {
  readonly db: Db;
  /** Secure cookies with a __Host- name (outside development). */
  readonly secure: boolean;
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface SessionStore {
  readonly cookieName: string;
  read(request: Request): Promise<Session | undefined>;
  /** A new session; returns it and its Set-Cookie header. */
  create(data: SessionData): Promise<{ session: Session; cookie: string }>;
  save(session: Session, data: SessionData): Promise<Session>;
  /** Deletes it; returns the Set-Cookie header that clears the cookie. */
  destroy(session: Session): Promise<string>;
  purgeExpired(): Promise<void>;
}

const hash = (id: string): string => createHash("sha256").update(id).digest("base64url");

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { db } = options;
  const ttl = options.ttlSeconds ?? 3600;
  const now = options.now ?? (() => new Date());
  const cookieName = options.secure ? "__Host-ndx_portal" : "ndx_portal";
  const attributes = `Path=/; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
  return {
    cookieName,
    async read(request) {
      const id = cookieValue(request, cookieName);
      if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
      const idHash = hash(id);
      const { rows } = await db.query<{ data: SessionData }>(
        "SELECT data FROM portal_sessions WHERE id_hash = $1 AND expires_at > $2",
        [idHash, now()],
      );
      return rows[0] === undefined ? undefined : { idHash, data: rows[0].data };
    },
    async create(data) {
      const id = randomBytes(32).toString("base64url");
      const at = now();
      const idHash = hash(id);
      await db.query("INSERT INTO portal_sessions (id_hash, created_at, expires_at, data) VALUES ($1, $2, $3, $4)", [
        idHash,
        at,
        new Date(at.getTime() + ttl * 1000),
        JSON.stringify(data),
      ]);
      return { session: { idHash, data }, cookie: `${cookieName}=${id}; ${attributes}; Max-Age=${ttl}` };
    },
    async save(session, data) {
      await db.query("UPDATE portal_sessions SET data = $2 WHERE id_hash = $1", [session.idHash, JSON.stringify(data)]);
      return { idHash: session.idHash, data };
    },
    async destroy(session) {
      await db.query("DELETE FROM portal_sessions WHERE id_hash = $1", [session.idHash]);
      await db.query("DELETE FROM portal_form_tokens WHERE session_hash = $1", [session.idHash]);
      return `${cookieName}=; ${attributes}; Max-Age=0`;
    },
    async purgeExpired() {
      const at = now();
      await db.query("DELETE FROM portal_sessions WHERE expires_at <= $1", [at]);
      await db.query("DELETE FROM portal_form_tokens WHERE expires_at <= $1", [new Date(at.getTime() - 86_400_000)]);
    },
  };
}
