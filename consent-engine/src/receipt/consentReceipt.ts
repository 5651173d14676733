/**
 * A citizen's receipt for one consent (issue 18): an ISO/IEC TS 27560:2023 consent record in JSON-LD with DPV terms
 * (receiptContext.ts) — the record's id, the PII principal (the citizen), the controller (the consumer application),
 * the purpose (code, text as granted, legal basis: consent), the data categories (the fields, with their labels),
 * the processing (use, and storage for the data life), the recipient (the consumer), the retention, the events with
 * their times and states (from the consent's history), who gave it (the principal, or a minor's guardian), and how to withdraw (My consents). The same record is shown as
 * a printable page.
 */
import type { FieldCatalogue } from "../catalogue.ts";
import type { ConsentHistoryEntry, ConsentView } from "../consentView.ts";
import { dataLifeWords, frequencyWords, parseTerms, type TermPeriod } from "../consentTerms.ts";
import type { ConsentStatus } from "../consentStore.ts";
import { receiptContextPath } from "./receiptContext.ts";

/** Each state as a DPV consent status (PAUSED: given, held back — `paused: true`; SUPERSEDED: never answered). */
const dpvStatus: Record<ConsentStatus, string> = {
  PENDING: "ConsentRequested",
  ACTIVE: "ConsentGiven",
  PAUSED: "ConsentGiven",
  REJECTED: "ConsentRefused",
  REVOKED: "ConsentWithdrawn",
  EXPIRED: "ConsentExpired",
  SUPERSEDED: "ConsentUnknown",
};

const isoDuration = (p: TermPeriod): string => (p.unit === "HOUR" ? `PT${p.value}H` : `P${p.value}${p.unit[0]}`);

/** Who acted, in the receipt: the citizen (or a minor's guardian, also a citizen), the application, or the system. */
function actorOf(entry: ConsentHistoryEntry, consent: ConsentView, urn: (kind: string, id: string) => string): string {
  if (entry.actor.startsWith("citizen:") || entry.actor.startsWith("guardian:")) return urn("citizen", entry.actor.slice(entry.actor.indexOf(":") + 1));
  if (entry.actor.startsWith("consumer:")) return urn("application", consent.consumerId);
  return urn("system", entry.actor.replace(/^system:/, ""));
}

/**
 * Who gave (or refused) the consent and when (DPV `isIndicatedBy`, `isIndicatedAtTime`): the PII principal themselves,
 * or — for a minor — their guardian (`GuardianOfDataSubject`) with the basis the households register gave.
 */
function indication(consent: ConsentView, urn: (kind: string, id: string) => string): Record<string, unknown> {
  const by = consent.decidedBy;
  if (by === undefined || by === null) return {};
  const indicatedBy =
    by.role === "guardian"
      ? { id: urn("citizen", by.nic), type: "GuardianOfDataSubject", identifier: by.nic, basis: by.basis ?? "" }
      : { id: urn("citizen", consent.citizenId) };
  return { indicatedBy, ...(consent.decidedAt === null ? {} : { indicatedAt: consent.decidedAt }) };
}

export function consentReceipt(consent: ConsentView, catalogue: FieldCatalogue, portalUrl: string, now: Date): Record<string, unknown> {
  const urn = (kind: string, id: string) => `urn:ndx:${kind}:${encodeURIComponent(id)}`;
  const terms = parseTerms(consent.terms);
  const controller = { id: urn("application", consent.consumerId), type: ["DataController", "Recipient"], name: consent.consumerName, identifier: consent.consumerId };
  return {
    "@context": new URL(receiptContextPath, portalUrl).toString(),
    id: new URL(`/consent/${consent.consentId}#record`, portalUrl).toString(),
    type: "ConsentRecord",
    identifier: consent.consentId,
    conformsTo: "https://www.iso.org/standard/80392.html",
    created: now.toISOString(),
    dataSubject: { id: urn("citizen", consent.citizenId), type: "DataSubject", identifier: consent.citizenId },
    dataController: controller,
    recipient: [controller],
    consentStatus: dpvStatus[consent.status],
    paused: consent.status === "PAUSED",
    purpose: {
      type: "Purpose",
      identifier: consent.purpose,
      description: consent.purposeText ?? consent.purpose,
      legalBasis: "Consent",
      processing: terms.dataLife === null ? ["Use"] : ["Use", "Store"],
      personalData: consent.dataScope.fields.map((f) => ({
        type: "PersonalData",
        identifier: `${f.provider}:${f.field}`,
        title: `${catalogue.fieldLabel(f)} (${catalogue.providerLabel(f.provider)})`,
      })),
      storageCondition: {
        type: "StorageDuration",
        ...(terms.dataLife === null ? {} : { duration: isoDuration(terms.dataLife) }),
        keptUntil: dataLifeWords(terms),
      },
      fetchType: terms.fetchType,
      frequency: frequencyWords(terms),
    },
    ...(consent.grantedAt === null ? {} : { validFrom: terms.start?.toISOString() ?? consent.grantedAt }),
    ...(consent.expiresAt === null ? {} : { validUntil: consent.expiresAt }),
    ...indication(consent, urn),
    events: (consent.history ?? []).map((e) => ({ type: dpvStatus[e.to], date: e.at, actor: actorOf(e, consent, urn), title: e.to })),
    withdrawalMethod: new URL("/my/consents", portalUrl).toString(),
  };
}
