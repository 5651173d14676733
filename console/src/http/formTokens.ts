/**
 * CSRF protection: every form carries a token bound to the session and to the form's action (its path), signed with
 * HMAC-SHA256 under a key derived from the session secret, valid for `ttlSeconds`. A token is used once: this
 * instance remembers used ones until they expire, so a reloaded POST (a registration, a rotation) is refused instead
 * of done twice. POSTs are also refused unless they come from the console's own origin (routes.ts).
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export interface FormTokens {
  issue(sessionId: string, action: string): string;
  /** Throws FormTokenError unless `token` was issued for this session and action, is unexpired and unused. */
  consume(token: string, sessionId: string, action: string): void;
}

export class FormTokenError extends Error {
  override name = "FormTokenError";
  /** `used`: the form was already sent (409); `invalid`: missing, expired or not ours (403). */
  readonly reason: "used" | "invalid";
  constructor(reason: "used" | "invalid", message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface FormTokenOptions {
  readonly secret: string;
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export function createFormTokens(options: FormTokenOptions): FormTokens {
  const key = Buffer.from(hkdfSync("sha256", options.secret, "ndx-console", "form tokens", 32));
  const ttlMs = (options.ttlSeconds ?? 3600) * 1000;
  const now = options.now ?? Date.now;
  /** Used tokens' nonces, with their expiry. */
  const used = new Map<string, number>();
  const mac = (sessionId: string, action: string, nonce: string, expires: number) =>
    createHmac("sha256", key).update(`${sessionId}\n${action}\n${nonce}\n${expires}`).digest();

  return {
    issue(sessionId, action) {
      const nonce = randomBytes(16).toString("base64url");
      const expires = now() + ttlMs;
      return `${nonce}.${expires}.${mac(sessionId, action, nonce, expires).toString("base64url")}`;
    },
    consume(token, sessionId, action) {
      const invalid = new FormTokenError("invalid", "This form is not valid any more. Reload the page and try again; nothing was changed.");
      const match = /^([A-Za-z0-9_-]{22})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (match === null) throw invalid;
      const [, nonce = "", expiresRaw = "", signature = ""] = match;
      const expires = Number(expiresRaw);
      // Compared as the text we issue: decoding would accept other spellings of the same MAC (the last character's
      // unused low bits), and a token is one string.
      const expected = Buffer.from(mac(sessionId, action, nonce, expires).toString("base64url"));
      if (!timingSafeEqual(expected, Buffer.from(signature)) || expires <= now()) throw invalid;
      if (used.has(nonce)) throw new FormTokenError("used", "This form was already sent. Nothing was changed this time.");
      const at = now();
      if (used.size > 10_000) for (const [n, e] of used) if (e <= at) used.delete(n);
      used.set(nonce, expires);
    },
  };
}
