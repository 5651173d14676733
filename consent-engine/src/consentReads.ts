/**
 * Consents as callers read them: one by id (optionally with its history) or all of a citizen's, each as a view whose
 * consumer name comes from the registration. Registrations are read once per process and kept.
 */
import type { Db } from "@ndx/platform";
import { findConsent, listEvents, listForCitizen, type ConsentEvent, type ConsentRow } from "./consentStore.ts";
import { consentIdPattern, consentView, type ConsentView } from "./consentView.ts";
import { findConsumer, type ConsumerRegistration } from "./consumerStore.ts";

export interface ConsentReadsOptions {
  readonly db: Db;
  /** The portal's public base URL; a consent's consentUrl is <portalUrl>/consent/<id>. */
  readonly portalUrl: string;
  readonly now: () => Date;
  /** The longest grant for a purpose, in days (shown in the view). */
  readonly maxDurationDays: (purpose: string) => number;
}

export interface ConsentReads {
  /** A consumer's registration, from the database the first time and from memory after. */
  consumer(id: string): Promise<ConsumerRegistration | undefined>;
  view(row: ConsentRow, history?: readonly ConsentEvent[]): Promise<ConsentView>;
  get(id: string, options?: { history?: boolean }): Promise<ConsentView | undefined>;
  listForCitizen(citizenId: string): Promise<ConsentView[]>;
}

export function createConsentReads(options: ConsentReadsOptions): ConsentReads {
  const { db, now, maxDurationDays } = options;
  const consumers = new Map<string, ConsumerRegistration>();
  const consentUrl = (id: string): string => new URL(`/consent/${id}`, options.portalUrl).toString();

  async function consumer(id: string): Promise<ConsumerRegistration | undefined> {
    const cached = consumers.get(id);
    if (cached !== undefined) return cached;
    const found = await findConsumer(db, id);
    if (found !== undefined) consumers.set(id, found);
    return found;
  }

  async function view(row: ConsentRow, history?: readonly ConsentEvent[]): Promise<ConsentView> {
    const registration = await consumer(row.consumerId);
    const context = {
      consumerName: registration?.name ?? row.consumerId,
      now: now(),
      consentUrl: consentUrl(row.id),
      maxDurationDays: maxDurationDays(row.purpose),
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

  return { consumer, view, get, listForCitizen: listCitizen };
}
