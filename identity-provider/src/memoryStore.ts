/**
 * oidc-provider's short-lived models in memory (sessions, interactions, authorization codes, grants, opaque tokens,
 * replay detection, the initial access token), with the indexes its `Adapter` interface asks for: sessions by `uid`,
 * device codes by `userCode`, and everything issued under a grant by `grantId` (revoked together). Expired entries
 * are never returned and are swept at most once a minute, so memory is bounded by what is alive.
 */
import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  /** Milliseconds since the epoch; Infinity: no expiry. */
  readonly expiresAt: number;
}

const sweepEveryMs = 60_000;

/** One store shared by the adapters of one provider (a grant's members are of several models). */
export function createMemoryStore(now: () => number = Date.now): AdapterFactory {
  const entries = new Map<string, Entry>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();
  let lastSweep = now();

  const live = (key: string | undefined): AdapterPayload | undefined => {
    const entry = key === undefined ? undefined : entries.get(key);
    return entry !== undefined && entry.expiresAt > now() ? entry.payload : undefined;
  };
  const remove = (key: string): void => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    const { uid, userCode, grantId } = entry.payload;
    if (uid !== undefined && byUid.get(uid) === key) byUid.delete(uid);
    if (userCode !== undefined && byUserCode.get(userCode) === key) byUserCode.delete(userCode);
    if (grantId !== undefined) {
      const members = byGrant.get(grantId);
      members?.delete(key);
      if (members?.size === 0) byGrant.delete(grantId);
    }
  };
  const sweep = (): void => {
    const time = now();
    if (time - lastSweep < sweepEveryMs) return;
    lastSweep = time;
    for (const [key, entry] of entries) if (entry.expiresAt <= time) remove(key);
  };

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        sweep();
        const key = keyOf(id);
        remove(key);
        entries.set(key, { payload, expiresAt: typeof expiresIn === "number" ? now() + expiresIn * 1000 : Infinity });
        if (model === "Session" && payload.uid !== undefined) byUid.set(payload.uid, key);
        if (payload.userCode !== undefined) byUserCode.set(payload.userCode, key);
        if (payload.grantId !== undefined) {
          const members = byGrant.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
      },
      async find(id) {
        return live(keyOf(id));
      },
      async findByUid(uid) {
        return live(byUid.get(uid));
      },
      async findByUserCode(userCode) {
        const key = byUserCode.get(userCode);
        return key?.startsWith(keyOf("")) === true ? live(key) : undefined;
      },
      async consume(id) {
        const entry = entries.get(keyOf(id));
        if (entry !== undefined) entry.payload = { ...entry.payload, consumed: Math.floor(now() / 1000) };
      },
      async destroy(id) {
        remove(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of [...(byGrant.get(grantId) ?? [])]) remove(key);
        byGrant.delete(grantId);
      },
    };
  };
}
