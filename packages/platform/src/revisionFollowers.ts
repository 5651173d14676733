/**
 * The followers of a revision stream and what each has acknowledged, so that a tightening change (a consent revoked at
 * the consent engine; a grant revoked or an application suspended at the exchange) is answered only once it holds on
 * every one of them. Shared by the consent engine's revision stream and the exchange's register stream.
 *
 * The contract with a follower: it may use what it holds (a cached "covered" answer, a register) only until
 * `staleAfterMs` after it *sent* its last acknowledgement that the server *confirmed*; an acknowledgement is confirmed
 * only when it names a revision at least the latest one (read from the database as it is handled). A follower that
 * has not acknowledged a change (its stream stalled behind a proxy, its process paused) therefore holds nothing usable
 * past `confirmedAt + staleAfterMs` here, whatever happens to its timers or its connection. A change is answered once
 * every follower has acknowledged it or has passed that bound; a follower that disconnected is remembered until its
 * bound has passed (a proxy may have closed our side while still holding its side open).
 *
 * Followers this process cannot see are covered by waiting the whole deadline: those of a previous incarnation (for
 * `staleAfterMs` after start) and, when other instances may exist (`otherInstances`), those of the other instances.
 */
export interface Settlement {
  /** When the change held on every follower: each acknowledged it or could no longer trust what it held. */
  readonly at: Date;
  /** Followers that acknowledged the revision. */
  readonly acknowledged: number;
  /** Followers that did not, waited out to their deadline. */
  readonly lapsed: number;
  /** How long the answer waited. */
  readonly waitedMs: number;
}

export interface RevisionFollowers {
  /** Followers connected now. */
  readonly count: number;
  /** A follower has connected at `revision`; returns what to call when it disconnects. */
  track(subscriber: string, revision: number): () => void;
  /** A follower has applied `revision`; `latest` is the newest revision there is. Undefined: no such follower. */
  acknowledge(subscriber: string, revision: number, latest: number): { readonly confirmed: boolean } | undefined;
  /** Resolves once `revision` holds on every follower (see above). */
  settled(revision: number): Promise<Settlement>;
}

export interface RevisionFollowersOptions {
  /** How long after its last confirmed acknowledgement a follower may still use a cached answer. */
  readonly staleAfterMs: number;
  /** Other instances of the server (sharing the database) may have followers this one cannot see. @default false */
  readonly otherInstances?: boolean;
  /** A monotonic clock in ms (tests move it). @default performance.now */
  readonly now?: () => number;
}

interface Follower {
  revision: number;
  confirmedAt: number;
  departed: boolean;
}

export function createRevisionFollowers(options: RevisionFollowersOptions): RevisionFollowers {
  const { staleAfterMs } = options;
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const followers = new Map<string, Follower>();
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const prune = (t: number) => {
    for (const [id, f] of followers) if (f.departed && f.confirmedAt + staleAfterMs <= t) followers.delete(id);
  };

  return {
    get count() {
      let n = 0;
      for (const f of followers.values()) if (!f.departed) n += 1;
      return n;
    },
    track(subscriber, revision) {
      followers.set(subscriber, { revision, confirmedAt: Number.NEGATIVE_INFINITY, departed: false });
      return () => {
        const f = followers.get(subscriber);
        if (f === undefined) return;
        f.departed = true;
        prune(now());
        wake();
      };
    },
    acknowledge(subscriber, revision, latest) {
      const f = followers.get(subscriber);
      if (f === undefined || f.departed) return undefined;
      if (revision > f.revision) f.revision = revision;
      const confirmed = revision >= latest;
      // Taken after the latest revision was read: later than the follower's own send time, so never too early.
      if (confirmed) f.confirmedAt = now();
      wake();
      return { confirmed };
    },
    settled(revision) {
      const begun = now();
      prune(begun);
      const floor = Math.max(startedAt + staleAfterMs, options.otherInstances === true ? begun + staleAfterMs : begun);
      return new Promise((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const check = () => {
          const t = now();
          let until = floor;
          let acknowledged = 0;
          let lapsed = 0;
          for (const f of followers.values()) {
            if (f.revision >= revision) {
              if (!f.departed) acknowledged += 1;
              continue;
            }
            lapsed += 1;
            until = Math.max(until, f.confirmedAt + staleAfterMs);
          }
          clearTimeout(timer);
          if (until > t) {
            timer = setTimeout(check, Math.ceil(until - t));
            return;
          }
          waiters.delete(check);
          resolve({ at: new Date(), acknowledged, lapsed, waitedMs: Math.round(t - begun) });
        };
        waiters.add(check);
        check();
      });
    },
  };
}
