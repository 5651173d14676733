/**
 * CSRF protection: every form carries a one-time token bound to the session, the action and its target (e.g. this
 * consent). Submitting consumes it inside the same transaction as the change it allows, so a replayed form is
 * refused and changes nothing; a token from another session, action or target is refused too. Values the form
 * must not let the browser alter (the consumer's redirect URI and state) are kept with the token, not in the form.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db, Queryable } from "@ndx/platform";
import { conflict, forbidden } from "../apiError.ts";

export type FormAction = "decide" | "revoke" | "pause" | "resume" | "logout";

export interface FormTokens {
  issue(sessionHash: string, action: FormAction, target: string, data?: Readonly<Record<string, string>>): Promise<string>;
  /** Consumes the token on `tx`; returns the data kept with it. Throws FORBIDDEN or CONFLICT (already used). */
  consume(
    tx: Queryable,
    token: string,
    binding: { sessionHash: string; action: FormAction; target: string },
  ): Promise<Readonly<Record<string, string>>>;
  /** The same, in a transaction of its own (a form that changes nothing else, e.g. sign-out). */
  consumeNow(
    token: string,
    binding: { sessionHash: string; action: FormAction; target: string },
  ): Promise<Readonly<Record<string, string>>>;
}

export interface FormTokenOptions {
  readonly db: Db;
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const hash = (token: string): string => createHash("sha256").update(token).digest("base64url");

export function createFormTokens(options: FormTokenOptions): FormTokens {
  const ttl = options.ttlSeconds ?? 3600;
  const now = options.now ?? (() => new Date());
  const tokens: FormTokens = {
    consumeNow: (token, binding) => options.db.transaction((tx) => tokens.consume(tx, token, binding)),
    async issue(sessionHash, action, target, data = {}) {
      const token = randomBytes(32).toString("base64url");
      const at = now();
      await options.db.query(
        `INSERT INTO portal_form_tokens (token_hash, session_hash, action, target, data, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [hash(token), sessionHash, action, target, JSON.stringify(data), at, new Date(at.getTime() + ttl * 1000)],
      );
      return token;
    },
    async consume(tx, token, binding) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw forbidden("This form is not valid. Reload the page and try again.");
      const at = now();
      const { rows } = await tx.query<{ data: Record<string, string> }>(
        `UPDATE portal_form_tokens SET used_at = $5
         WHERE token_hash = $1 AND session_hash = $2 AND action = $3 AND target = $4 AND used_at IS NULL AND expires_at > $5
         RETURNING data`,
        [hash(token), binding.sessionHash, binding.action, binding.target, at],
      );
      if (rows[0] !== undefined) return rows[0].data;
      const { rows: seen } = await tx.query<{ used_at: Date | null; matches: boolean }>(
        `SELECT used_at, (session_hash = $2 AND action = $3 AND target = $4) AS matches
         FROM portal_form_tokens WHERE token_hash = $1`,
        [hash(token), binding.sessionHash, binding.action, binding.target],
      );
      const known = seen[0];
      if (known?.matches === true && known.used_at !== null) {
        throw conflict("This form was already submitted. Nothing was changed.");
      }
      if (known?.matches === true) throw forbidden("This form has expired. Reload the page and try again.");
      throw forbidden("This form is not valid. Reload the page and try again.");
    },
  };
  return tokens;
}
