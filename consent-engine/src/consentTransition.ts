/**
 * One state change of a consent, the same for every citizen action: in one transaction, run the guard, lock the row,
 * check who acts, apply the change decided on the row as it is, record the event and, when a check's answer can
 * change, bump the revision. After commit: count it, announce the revision and, for a revocation, wait until no
 * gateway following the stream can answer from what it cached (revisionFollowers.ts).
 */
import type { Db, Queryable } from "@ndx/platform";
import { conflict, forbidden, notFound } from "./apiError.ts";
import type { ConsentEvents } from "./consentMetrics.ts";
import { appendEvent, bumpRevision, changeStatus, findConsent, type ConsentRow, type ConsentStatus } from "./consentStore.ts";
import { consentIdPattern, type ConsentView } from "./consentView.ts";
import type { RevisionEvent, RevisionFeed, Settlement } from "./revisionFeed.ts";
import { anotherPerson, createDecisionAuthority, type Actor, type DecisionAuthority } from "./guardianship/decisionAuthority.ts";

export interface Acting extends Actor {
  /** The citizen acting: the citizen the consent is about, or their guardian with `onBehalfOf` (decisionAuthority.ts). */
  readonly citizenId: string;
  /** Where the action came from, recorded in the event. */
  readonly via: "portal" | "api";
}

/** Runs first inside the state change's transaction (e.g. consuming a one-time form token). */
export type Guard = (tx: Queryable) => Promise<void>;

/** What an action makes of the locked row; throws to refuse (nothing is changed). */
export type Decide = (
  row: ConsentRow,
  at: Date,
) => { to: ConsentStatus; change: Parameters<typeof changeStatus>[3]; announce?: RevisionEvent["change"]; detail?: Record<string, unknown> };

/** `opens`: the change makes data readable (a grant, a resume): a minor cannot make it for themselves. */
export type Transition = (
  id: string,
  acting: Acting,
  guard: Guard | undefined,
  decide: Decide,
  opens?: boolean,
) => Promise<{ view: ConsentView; settlement?: Settlement }>;

export interface TransitionOptions {
  readonly db: Db;
  readonly now: () => Date;
  readonly feed: RevisionFeed;
  readonly view: (row: ConsentRow) => Promise<ConsentView>;
  readonly metrics?: ConsentEvents | undefined;
  /** In the transaction of an answer to a request (grant, refusal): e.g. queue the consumer's webhook notice. */
  readonly answered?: ((tx: Queryable, row: ConsentRow, at: Date) => Promise<void>) | undefined;
  /** Who may decide for the consent's citizen (their guardian for a minor). @default themselves only, no registry */
  readonly authority?: DecisionAuthority | undefined;
}

export function createTransition(options: TransitionOptions): Transition {
  const { db, now, feed, view, metrics } = options;
  const authority = options.authority ?? createDecisionAuthority();
  return async function transition(id, acting, guard, decide, opens = false) {
    if (!consentIdPattern.test(id)) throw notFound(`No consent ${id}`);
    const at = now();
    // Who may decide is asked before the transaction (the registry is not called holding a row lock).
    const about = await findConsent(db, id);
    if (about === undefined) throw notFound(`No consent ${id}`);
    const decider = await authority(about.citizenId, acting, opens, at);
    const { row, event, to, from } = await db.transaction(async (tx) => {
      if (guard !== undefined) await guard(tx);
      const current = await findConsent(tx, id, true);
      if (current === undefined) throw notFound(`No consent ${id}`);
      if (current.citizenId !== (acting.onBehalfOf ?? acting.citizenId)) throw forbidden(anotherPerson);
      const decision = decide(current, at);
      if (!(await changeStatus(tx, id, current.status, decision.change))) throw conflict("The consent changed meanwhile; nothing was changed");
      await appendEvent(tx, id, {
        at,
        actor: decider.actor,
        from: current.status,
        to: decision.to,
        detail: { via: acting.via, ...decider.detail, ...decision.detail },
      });
      let announced: RevisionEvent | undefined;
      if (decision.announce !== undefined) {
        const base = { change: decision.announce, consentId: id, consumerId: current.consumerId, citizenId: current.citizenId, at: at.toISOString() };
        announced = { ...base, revision: await bumpRevision(tx, base) };
      }
      const changed = await findConsent(tx, id);
      if (changed === undefined) throw new Error("changed consent not found");
      if (current.status === "PENDING") await options.answered?.(tx, changed, at);
      return { row: changed, event: announced, to: decision.to, from: current.status };
    });
    // Counted: answers to a request and revocations (a pause or a resume is neither).
    const change = from !== "PENDING" ? (to === "REVOKED" ? "revoked" : undefined) : to === "ACTIVE" ? "granted" : to === "REJECTED" ? "rejected" : undefined;
    if (change !== undefined) metrics?.changed(change, acting.via);
    if (event === undefined) return { view: await view(row) };
    feed.publish(event);
    // A revocation (or a pause) is answered once no gateway following the stream can answer from what it cached.
    const settlement = event.change === "revoked" || event.change === "paused" ? await feed.settled(event.revision) : undefined;
    return { view: await view(row), ...(settlement === undefined ? {} : { settlement }) };
  };
}
