/**
 * Signed webhooks (issue 18, asynchronous consent): when a request of a consumer with a registered webhook URL is
 * answered (granted or refused), the engine POSTs it a notice — a compact JWS (`typ` "ndx-consent-event+jws") signed
 * with the artefact key, verifiable with the engine's JWKS, body `application/jose` — queued in the answer's own
 * transaction and delivered by a round every `intervalMs`: a 2xx is delivered; anything else is retried with
 * exponential backoff (`baseMs` × 2^attempt, at most an hour) up to `maxAttempts`. Outside development a URL that is
 * not https, or that reaches a private or special address, is never called (safeAddress.ts).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { Db, Logger, Queryable } from "@ndx/platform";
import { CompactSign } from "jose";
import type { ArtefactSigningKey } from "../artefact/artefactKeys.ts";
import type { ConsentRow } from "../consentStore.ts";
import { guardedLookup, isSpecialAddress } from "./safeAddress.ts";
import { claimDue, enqueueNotice, markDelivered, markFailed, type WebhookNotice } from "./webhookOutbox.ts";

export interface WebhookOptions {
  /** The registered webhook URL of each consumer application that has one. */
  readonly urls: Readonly<Record<string, string>>;
  /** Development: http and private addresses allowed (a receiver on localhost). @default false */
  readonly allowPrivateAddresses?: boolean;
  /** How often due notices are delivered. @default 1000 */
  readonly intervalMs?: number;
  /** First retry after this long, doubling each time. @default 2000 */
  readonly baseMs?: number;
  /** Attempts before giving up. @default 10 */
  readonly maxAttempts?: number;
  /** Per attempt. @default 5000 */
  readonly timeoutMs?: number;
}

export interface Webhooks {
  /** In the answer's transaction: queues a notice when the consumer has a webhook. */
  answered(tx: Queryable, row: ConsentRow, at: Date): Promise<void>;
  /** One delivery round (also run every `intervalMs`); returns how many were delivered. */
  deliverDue(): Promise<number>;
  close(): void;
}

/** POSTs the JWS; resolves with the HTTP status, rejects when the address is refused or the call fails. */
function post(url: URL, body: string, options: { allowPrivate: boolean; timeoutMs: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    if (!options.allowPrivate) {
      if (url.protocol !== "https:") return reject(new Error("webhook URLs must be https"));
      const literal = url.hostname.replace(/^\[|\]$/g, "");
      if (isIP(literal) !== 0 && isSpecialAddress(literal)) return reject(new Error("the webhook URL is a private or special address"));
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/jose", "content-length": Buffer.byteLength(body) },
        timeout: options.timeoutMs,
        ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer in time")));
    req.on("error", reject);
    req.end(body);
  });
}

export function createWebhooks(options: WebhookOptions & { db: Db; key: ArtefactSigningKey; logger: Logger; now: () => Date }): Webhooks {
  const { db, key, logger, now } = options;
  const allowPrivate = options.allowPrivateAddresses ?? false;
  const baseMs = options.baseMs ?? 2000;
  const maxAttempts = options.maxAttempts ?? 10;
  const timeoutMs = options.timeoutMs ?? 5000;

  const sign = (payload: Readonly<Record<string, unknown>>) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "ndx-consent-event+jws" }).sign(key.privateKey);

  async function attempt(notice: WebhookNotice): Promise<boolean> {
    const at = now();
    try {
      const status = await post(new URL(notice.url), await sign(notice.payload), { allowPrivate, timeoutMs });
      if (status >= 200 && status < 300) {
        await markDelivered(db, notice.id, at);
        return true;
      }
      throw new Error(`the receiver answered HTTP ${status}`);
    } catch (error) {
      const why = error instanceof Error ? error.message : "delivery failed";
      const last = notice.attempts + 1 >= maxAttempts;
      const retryAt = last ? null : new Date(at.getTime() + Math.min(baseMs * 2 ** notice.attempts, 3_600_000));
      await markFailed(db, notice.id, why, at, retryAt);
      logger.warn({ consentId: notice.consentId, consumerId: notice.consumerId, attempt: notice.attempts + 1, reason: why, gaveUp: last }, "consent webhook not delivered");
      return false;
    }
  }

  let round: Promise<number> | undefined;
  const deliverDue = async (): Promise<number> => {
    round ??= (async () => {
      const at = now();
      const due = await claimDue(db, at, new Date(at.getTime() + timeoutMs * 2));
      const results = await Promise.all(due.map(attempt));
      return results.filter(Boolean).length;
    })().finally(() => {
      round = undefined;
    });
    return round;
  };
  const timer = setInterval(() => void deliverDue().catch((error: unknown) => logger.error({ err: error }, "consent webhook round failed")), options.intervalMs ?? 1000);
  timer.unref();

  return {
    async answered(tx, row, at) {
      const url = options.urls[row.consumerId];
      if (url === undefined || (row.status !== "ACTIVE" && row.status !== "REJECTED")) return;
      const payload = { ver: 1, consentId: row.id, consumerId: row.consumerId, status: row.status, decidedAt: row.decidedAt?.toISOString() ?? null, expiresAt: row.expiresAt?.toISOString() ?? null, at: at.toISOString() };
      await enqueueNotice(tx, { consentId: row.id, consumerId: row.consumerId, url, payload, at });
    },
    deliverDue,
    close: () => clearInterval(timer),
  };
}
