/**
 * Guardian consent in the portal: who the signed-in person is for a consent's citizen — themselves, a minor (who
 * cannot open their own data), the guardian of that minor (per the households register), or anyone else — and the
 * minors they answer for (their inbox and consents, beside their own). Each question goes to the registry
 * (guardians are never cached: a guardianship removed there stops counting on the next page). When the registry
 * cannot answer, a person who is not the consent's citizen is refused with a "try again" page (503) and nothing is
 * recorded; the consent rules check again, in every action (decisionAuthority.ts).
 */
import { guardianshipUnavailable } from "../guardianship/decisionAuthority.ts";
import { GuardianshipUnavailableError, type GuardianshipSource, type WardLink } from "../guardianship/guardianshipClient.ts";
import { isMinorOn } from "../guardianship/minority.ts";

export interface PortalGuardiansOptions {
  /** The registry's guardianship answers. @default none: everyone answers for themselves only */
  readonly source?: GuardianshipSource | undefined;
  /** @default 18 */
  readonly ageOfMajority?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** How the signed-in person stands to a consent's citizen. */
export type Answerer = { readonly kind: "self" } | { readonly kind: "minor" } | { readonly kind: "guardian"; readonly ward: WardLink } | { readonly kind: "other" };

export interface PortalGuardians {
  /** Throws UPSTREAM_UNAVAILABLE (503) when the registry cannot say and the person is not the citizen. */
  answererFor(subject: string, principal: string): Promise<Answerer>;
  /** The minors this person answers for now; `unavailable` when the registry could not say. */
  wardsOf(subject: string): Promise<{ readonly wards: readonly WardLink[]; readonly unavailable: boolean }>;
}

export function createPortalGuardians(options: PortalGuardiansOptions = {}): PortalGuardians {
  const { source } = options;
  const ageOfMajority = options.ageOfMajority ?? 18;
  const now = options.now ?? (() => new Date());
  const minor = (dateOfBirth: string | null) => isMinorOn(dateOfBirth, now(), ageOfMajority);

  return {
    async answererFor(subject, principal) {
      if (source === undefined) return { kind: subject === principal ? "self" : "other" };
      try {
        const about = await source.lookup(subject);
        if (subject === principal) return { kind: minor(about.dateOfBirth) ? "minor" : "self" };
        const ward = about.wards.find((w) => w.nic === principal && minor(w.dateOfBirth));
        return ward === undefined ? { kind: "other" } : { kind: "guardian", ward };
      } catch (error) {
        if (!(error instanceof GuardianshipUnavailableError)) throw error;
        // The citizen's own page still shows (an Allow is checked again, and refused while the registry is away).
        if (subject === principal) return { kind: "self" };
        throw guardianshipUnavailable();
      }
    },
    async wardsOf(subject) {
      if (source === undefined) return { wards: [], unavailable: false };
      try {
        return { wards: (await source.lookup(subject)).wards.filter((w) => minor(w.dateOfBirth)), unavailable: false };
      } catch (error) {
        if (!(error instanceof GuardianshipUnavailableError)) throw error;
        return { wards: [], unavailable: true };
      }
    },
  };
}

/** The child's first name, as the portal says it ("For Chipo, your child"). */
export const firstName = (ward: WardLink): string => (ward.fullName ?? ward.nic).split(" ")[0] ?? ward.nic;
