/**
 * Who may decide about a citizen's consent (issue 18, guardian consent). A person decides for themselves — except
 * that a minor (under the age of majority on the day of the decision, from the registry's date of birth) cannot open
 * their data: a grant or a resume of a minor's consent is made only by a guardian the households register names for
 * them; the minor may still refuse, pause or revoke, which only close it. A guardian decides for the minor (every
 * action), recorded as themselves with the basis ("guardian per household HH-…"); anyone else is refused with the
 * same answer as for any other person's consent (no oracle that the minor exists). Each question goes to the registry
 * (guardianshipClient.ts); when it cannot answer, nothing is recorded (503, fail closed). Without a registry
 * configured nobody answers for anyone else and no one is known to be a minor.
 */
import { ApiError, forbidden } from "../apiError.ts";
import { GuardianshipUnavailableError, type Guardianship, type GuardianshipSource } from "./guardianshipClient.ts";
import { isMinorOn } from "./minority.ts";

/** Who acts: the person signed in (or named by a service), and the minor they answer for as guardian, if any. */
export interface Actor {
  readonly citizenId: string;
  /** The consent's citizen, a minor this person answers for as their guardian. @default the person themselves */
  readonly onBehalfOf?: string | undefined;
}

/** Who decided, as recorded in the consent's events (actor `citizen:<nic>` or `guardian:<nic>`, and its detail). */
export interface Decider {
  readonly actor: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** `opens`: the action makes data readable again (grant, resume). Throws FORBIDDEN or 503 UPSTREAM_UNAVAILABLE. */
export type DecisionAuthority = (principal: string, actor: Actor, opens: boolean, at: Date) => Promise<Decider>;

export interface DecisionAuthorityOptions {
  /** The registry's guardianship answers. @default none: nobody answers for anyone else, nobody is known a minor */
  readonly source?: GuardianshipSource | undefined;
  /** @default 18 */
  readonly ageOfMajority?: number;
}

export const anotherPerson = "This consent is about another person";
const guardianAnswers = "A guardian answers for this person while they are under age: only a guardian named in the households register can allow it";

export function guardianshipUnavailable(): ApiError {
  return new ApiError("UPSTREAM_UNAVAILABLE", "We could not confirm with the registry who may answer for this person; nothing was recorded. Please try again in a moment.", {
    status: 503,
  });
}

export function createDecisionAuthority(options: DecisionAuthorityOptions = {}): DecisionAuthority {
  const { source } = options;
  const ageOfMajority = options.ageOfMajority ?? 18;

  async function ask(nic: string): Promise<Guardianship> {
    if (source === undefined) throw forbidden(anotherPerson);
    try {
      return await source.lookup(nic);
    } catch (error) {
      if (error instanceof GuardianshipUnavailableError) throw guardianshipUnavailable();
      throw error;
    }
  }

  return async (principal, actor, opens, at) => {
    if (actor.onBehalfOf === undefined) {
      if (actor.citizenId !== principal) throw forbidden(anotherPerson);
      if (opens && source !== undefined && isMinorOn((await ask(principal)).dateOfBirth, at, ageOfMajority)) throw forbidden(guardianAnswers);
      return { actor: `citizen:${actor.citizenId}`, detail: {} };
    }
    if (actor.onBehalfOf !== principal || actor.citizenId === principal) throw forbidden(anotherPerson);
    const principalIs = await ask(principal);
    const link = principalIs.guardians.find((g) => g.nic === actor.citizenId);
    if (link === undefined || !isMinorOn(principalIs.dateOfBirth, at, ageOfMajority)) throw forbidden(anotherPerson);
    return {
      actor: `guardian:${actor.citizenId}`,
      detail: { onBehalfOf: principal, role: "guardian", basis: `guardian per household ${link.householdNumber}` },
    };
  };
}
