/**
 * Admission: what turns an authenticated caller away before anything is decided about them — a consumer held to
 * trusted documents sending another document, then the rate limit. Built once at start-up from configuration; the
 * result is the access decision's `admit` hook. Turned-away requests are counted, never audited.
 */
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "@ndx/platform";
import type { Caller } from "./consumerAuth.ts";
import type { GlobalLimiter } from "./globalRateLimit.ts";
import { createConsumerRateLimit, type ConsumerRateLimitOptions } from "./rateLimit.ts";
import { createTrustedDocuments, readTrustedDocumentManifest, untrustedDocument, type TrustedDocuments } from "./trustedDocuments.ts";

export interface AdmissionOptions {
  /** A trusted document manifest (unset: off) and the consumers held to it (`*`: all). */
  readonly trustedDocuments: { readonly file: string | undefined; readonly required: readonly string[] };
  /** The default rate and each consumer's own. */
  readonly rateLimit: Pick<ConsumerRateLimitOptions, "rate" | "consumers">;
  readonly logger: Logger;
  /** Told of every turned-away request, with why (metrics). @default none */
  readonly onTurnedAway?: (consumer: string, reason: "rate_limited" | "untrusted_document") => void;
  /** The rate limiter's clock, in milliseconds (tests inject one). @default performance.now */
  readonly now?: (() => number) | undefined;
  /** Each rate per second held once across replicas too (globalRateLimit.ts). @default none: per replica */
  readonly global?: GlobalLimiter | undefined;
}

export interface Admission {
  readonly admit: (caller: Caller, request: Request) => GraphQLError | undefined;
  /** The trusted documents' request plugins (resolving a `documentId`), when a manifest is configured. */
  readonly plugins: readonly Plugin[];
}

export function createAdmission(options: AdmissionOptions): Admission {
  const { onTurnedAway, logger } = options;
  // Read at start-up: a bad manifest stops the start with its problems named.
  const { file, required } = options.trustedDocuments;
  const trusted: TrustedDocuments | undefined =
    file === undefined ? undefined : createTrustedDocuments({ documents: readTrustedDocumentManifest(file), required });
  if (trusted !== undefined) logger.info({ documents: trusted.size, required }, "trusted documents loaded");
  const rateLimit = createConsumerRateLimit({
    ...options.rateLimit,
    ...(options.now === undefined ? {} : { now: options.now }),
    global: options.global,
    ...(onTurnedAway === undefined ? {} : { onLimited: (consumer: string) => onTurnedAway(consumer, "rate_limited") }),
  });
  return {
    plugins: trusted?.plugins ?? [],
    // A held consumer's arbitrary document first (it costs the caller nothing of its rate), then the rate limit.
    admit(caller, request) {
      if (trusted !== undefined && caller.kind === "consumer" && trusted.holds(caller.id) && !trusted.isTrusted(request)) {
        onTurnedAway?.(caller.id, "untrusted_document");
        return untrustedDocument(caller.id);
      }
      return rateLimit(caller);
    },
  };
}
