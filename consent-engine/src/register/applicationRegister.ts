/**
 * The consumer applications as the consent engine reads them: from the exchange's register
 * (`@ndx/contracts` exchangeRegister), held in memory. Whatever decides something (opening a request, a check, a
 * grant, a redirect URI) reads `current`, which refuses with 503 `UPSTREAM_UNAVAILABLE` once the register is stale —
 * never a guess from old data. Pages that only show what already exists (My consents, Who saw my data) and what
 * must never be blocked (refusing, revoking) read `lastKnown`.
 */
import type { ExchangeRegister, RegisterApplication, RegisterPurpose } from "@ndx/contracts";
import { ApiError } from "../apiError.ts";

export type { RegisterApplication, RegisterPurpose };

export interface ApplicationRegister {
  /** Whether what is held is known to be current (heard from the exchange less than `staleAfterMs` ago). */
  fresh(): boolean;
  /** The application as registered now (undefined: not registered); throws {@link registerUnavailable} when stale. */
  current(id: string): RegisterApplication | undefined;
  /** The last registration known, however old: for labels, never for decisions. */
  lastKnown(id: string): RegisterApplication | undefined;
  /** The revision of the register held (-1 before any). */
  readonly revision: number;
  /** Resolves once a register is held. */
  ready(): Promise<void>;
  close(): void;
}

/** The refusal of anything that depends on the register while it is stale. */
export const registerUnavailable = (): ApiError =>
  new ApiError("UPSTREAM_UNAVAILABLE", "The exchange's register of applications cannot be confirmed right now; please try again in a moment", {
    status: 503,
    details: { provider: "exchange" },
  });

/** The purpose of an application by its code. */
export const purposeOf = (application: RegisterApplication | undefined, code: string): RegisterPurpose | undefined =>
  application?.purposes.find((p) => p.code === code);

export const indexApplications = (register: ExchangeRegister): ReadonlyMap<string, RegisterApplication> =>
  new Map(register.applications.map((a) => [a.id, a]));

/** A register that never changes and is always current: the development fallback and the tests' harness. */
export function fixedApplicationRegister(register: ExchangeRegister): ApplicationRegister {
  const byId = indexApplications(register);
  return {
    fresh: () => true,
    current: (id) => byId.get(id),
    lastKnown: (id) => byId.get(id),
    revision: register.revision,
    ready: () => Promise.resolve(),
    close: () => undefined,
  };
}
