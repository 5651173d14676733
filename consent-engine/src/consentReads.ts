/**
 * Consents as callers read them: one by id (optionally with its history) or all of a citizen's, each as a view whose
 * consumer name is the application's name in the exchange's register (the last one known: reading one's consents
 * never waits for, nor fails with, the register).
 */
import type { Db } from "@ndx/platform";
import { findConsent, listEvents, listForCitizen, type ConsentEvent, type ConsentRow } from "./consentStore.ts";
import { consentIdPattern, consentView, type ConsentView } from "./consentView.ts";
import type { ApplicationRegister } from "./register/applicationRegister.ts";

export interface ConsentReadsOptions {
  readonly db: Db;
  /** The portal's public base URL; a consent's consentUrl is <portalUrl>/consent/<id>. */
  readonly portalUrl: string;
  readonly now: () => Date;
  readonly applications: ApplicationRegister;
  /** The longest grant for an application's purpose, in days (shown in the view). */
  readonly maxDurationDays: (consumerId: string, purpose: string) => number;
}

export interface ConsentReads {
  view(row: ConsentRow, history?: readonly ConsentEvent[]): Promise<ConsentView>;
  get(id: string, options?: { history?: boolean }): Promise<ConsentView | undefined>;
  listForCitizen(citizenId: string): Promise<ConsentView[]>;
}

export function createConsentReads(options: ConsentReadsOptions): ConsentReads {
  const { db, now, maxDurationDays, applications } = options;
  const consentUrl = (id: string): string => new URL(`/consent/${id}`, options.portalUrl).toString();

  async function view(row: ConsentRow, history?: readonly ConsentEvent[]): Promise<ConsentView> {
    const context = {
      consumerName: applications.lastKnown(row.consumerId)?.name ?? row.consumerId,
      now: now(),
      consentUrl: consentUrl(row.id),
      maxDurationDays: maxDurationDays(row.consumerId, row.purpose),
    };
    return consentView(row, context, history);
  }

  async function get(id: string, opts: { history?: boolean } = {}): Promise<ConsentView | undefined> {
    if (!consentIdPattern.test(id)) return undefined;
    const row = await findConsent(db, id);
    if (row === undefined) return undefined;
    return view(row, opts.history === true ? await listEvents(db, id) : undefined);
  }

  async function listCitizen(citizenId: string): Promise<ConsentView[]> {
    const rows = await listForCitizen(db, citizenId);
    return Promise.all(rows.map((r) => view(r)));
  }

  return { view, get, listForCitizen: listCitizen };
}
