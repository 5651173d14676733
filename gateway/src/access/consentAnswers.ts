/**
 * The consent part of a decision: for each citizen the operation is about, the personal fields read about them and
 * the consent engine's answer (from the gateway's cache when it holds one), and the consent requests opened for what
 * is missing. No policy here: `decide.ts` says when these are asked.
 */
import type { ConsentTerms, WithheldItem } from "@ndx/contracts";
import { ndxError } from "@ndx/platform";
import { rememberFrozen, type FieldAccess } from "@ndx/policy";
import { consentRequired } from "./accessErrors.ts";
import type { ConsentAnswer, ConsentCheck } from "./consentCheck.ts";
import { personal } from "./dataClass.ts";
import type { GraphQLError } from "graphql";

/** One citizen's fields and the answer about them. */
export interface CitizenConsent {
  readonly nic: string;
  readonly wanted: readonly FieldAccess[];
  readonly answer: ConsentAnswer;
}

/** A citizen whose answer may not be known yet (not cached). */
export interface CitizenQuestion {
  readonly nic: string;
  readonly wanted: readonly FieldAccess[];
  readonly answer: ConsentAnswer | undefined;
}

export interface ConsentAnswers {
  /** Each citizen's personal fields, with the cached answer where the gateway holds one (never any I/O). */
  fromCache(consumer: string, purpose: string, subjects: ReadonlyMap<string, readonly FieldAccess[]>): CitizenQuestion[];
  /** The answers not cached yet, asked of the consent engine in parallel. */
  complete(consumer: string, purpose: string, questions: readonly CitizenQuestion[]): Promise<CitizenConsent[]>;
  /**
   * Opens a consent request for exactly what is missing about each citizen (with the terms proposed): one
   * CONSENT_REQUIRED error each; a citizen with nothing missing but fields withheld gets CONSENT_PAUSED or
   * CONSENT_EXHAUSTED instead (no request: the consent exists).
   */
  openRequests(consumer: string, purpose: string, answers: readonly CitizenConsent[], terms?: ConsentTerms): Promise<GraphQLError[]>;
}

/** Why a citizen's fields are held back: paused by the citizen (CONSENT_PAUSED), or not usable yet (CONSENT_EXHAUSTED). */
function withheldError(citizenId: string, withheld: readonly WithheldItem[]): GraphQLError {
  const consentIds = [...new Set(withheld.flatMap((w) => w.consentIds))].sort();
  const fields = withheld.map((w) => ({ provider: w.provider, field: w.field, reason: w.reason }));
  if (withheld.some((w) => w.reason === "PAUSED")) {
    return ndxError("CONSENT_PAUSED", `Citizen ${citizenId} has paused the consent for these fields`, { details: { citizenId, consentIds, fields } });
  }
  // The read can be made again once every field renews: the latest of their renewals (null: never, ask again).
  const renewals = withheld.map((w) => w.renewsAt);
  const renewsAt = renewals.includes(null) ? null : renewals.reduce((a, r) => (r !== null && (a === null || r > a) ? r : a), null);
  const notStarted = withheld.every((w) => w.reason === "NOT_STARTED");
  return ndxError(
    "CONSENT_EXHAUSTED",
    notStarted
      ? `The consent of citizen ${citizenId} for these fields has not started yet`
      : `The consent of citizen ${citizenId} for these fields is used up${renewsAt === null ? "; ask for a new consent" : ` until ${renewsAt}`}`,
    { details: { citizenId, consentIds, fields, renewsAt } },
  );
}

const nothingWanted: ConsentAnswer = { covered: true, consentIds: [], missing: [] };

export function createConsentAnswers(consent: ConsentCheck): ConsentAnswers {
  // A scope's field lists are frozen and shared by the requests of one shape: their personal part is worked out once.
  const personalFields = rememberFrozen((fields: readonly FieldAccess[]) => Object.freeze(fields.filter(personal)));
  return {
    fromCache(consumer, purpose, subjects) {
      return [...subjects].map(([nic, fields]) => {
        const wanted = personalFields(fields);
        return { nic, wanted, answer: wanted.length === 0 ? nothingWanted : consent.cached(consumer, nic, purpose, wanted) };
      });
    },
    complete(consumer, purpose, questions) {
      return Promise.all(
        questions.map(async ({ nic, wanted, answer }): Promise<CitizenConsent> => ({
          nic,
          wanted,
          answer: answer ?? (await consent.check(consumer, nic, purpose, wanted)),
        })),
      );
    },
    openRequests(consumer, purpose, answers, terms) {
      return Promise.all(
        answers
          .filter((c) => !c.answer.covered)
          .map(async (c) => {
            const missing = c.wanted.filter((f) => c.answer.missing.some((m) => m.provider === f.provider && m.field === f.field));
            if (missing.length === 0 && (c.answer.withheld?.length ?? 0) > 0) return withheldError(c.nic, c.answer.withheld ?? []);
            return consentRequired(c.nic, await consent.openRequest(consumer, c.nic, purpose, missing, terms));
          }),
      );
    },
  };
}

/** Every answer known without asking anyone: the list of them, or undefined when one is missing. */
export function allKnown(questions: readonly CitizenQuestion[]): CitizenConsent[] | undefined {
  const known: CitizenConsent[] = [];
  for (const { nic, wanted, answer } of questions) {
    if (answer === undefined) return undefined;
    known.push({ nic, wanted, answer });
  }
  return known;
}
