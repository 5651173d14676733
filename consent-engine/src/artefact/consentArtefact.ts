/**
 * The consent artefact as a signed document a consumer can keep (issue 18): a compact JWS (EdDSA or ES256, `kid` in
 * the header, `typ` "ndx-consent-artefact+jws") over the consent as it stands when fetched — who consented, to whom,
 * for which purpose (code and text as registered), which fields, when granted, from when, until when, how often, how
 * long the data may be kept, its status, who decided (the citizen, or a minor's guardian). Anyone verifies it with the engine's JWKS and any JOSE library.
 */
import { CompactSign } from "jose";
import type { ConsentView } from "../consentView.ts";
import type { ArtefactSigningKey } from "./artefactKeys.ts";

const artefactType = "ndx-consent-artefact+jws";

/** What the JWS signs (consent-engine/README.md#the-consent-artefact). */
export interface ConsentArtefact {
  readonly ver: 1;
  /** The engine that issued it (the portal's public URL). */
  readonly iss: string;
  /** When this copy was signed (seconds since the epoch). */
  readonly iat: number;
  readonly consentId: string;
  readonly status: ConsentView["status"];
  /** The citizen (PII principal): their NIC. */
  readonly citizenId: string;
  /** The consumer application, and its name as registered. */
  readonly consumer: { readonly id: string; readonly name: string };
  readonly purpose: { readonly code: string; readonly text: string | null };
  readonly dataScope: ConsentView["dataScope"];
  readonly grantedAt: string | null;
  /** Not usable before (null: from the grant). */
  readonly start: string | null;
  readonly expiresAt: string | null;
  readonly fetchType: "ONETIME" | "PERIODIC";
  readonly frequency: { readonly unit: string; readonly value: number } | null;
  readonly dataLife: { readonly unit: string; readonly value: number } | null;
  readonly pausedAt: string | null;
  readonly revokedAt: string | null;
  /**
   * Who answered the request: the citizen themselves (`role` "principal"), or for a minor their guardian (`role`
   * "guardian", `basis` "guardian per household HH-…"); null while unanswered.
   */
  readonly decidedBy: { readonly nic: string; readonly role: "principal" | "guardian"; readonly basis: string | null } | null;
}

export function artefactOf(consent: ConsentView, issuer: string, now: Date): ConsentArtefact {
  return {
    ver: 1,
    iss: issuer,
    iat: Math.floor(now.getTime() / 1000),
    consentId: consent.consentId,
    status: consent.status,
    citizenId: consent.citizenId,
    consumer: { id: consent.consumerId, name: consent.consumerName },
    purpose: { code: consent.purpose, text: consent.purposeText },
    dataScope: consent.dataScope,
    grantedAt: consent.grantedAt,
    start: consent.terms.start ?? null,
    expiresAt: consent.expiresAt,
    fetchType: consent.terms.fetchType ?? "PERIODIC",
    frequency: consent.terms.frequency ?? null,
    dataLife: consent.terms.dataLife ?? null,
    pausedAt: consent.pausedAt,
    revokedAt: consent.revokedAt,
    decidedBy: consent.decidedBy ?? null,
  };
}

export async function signArtefact(key: ArtefactSigningKey, artefact: ConsentArtefact): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(artefact)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: artefactType })
    .sign(key.privateKey);
}
