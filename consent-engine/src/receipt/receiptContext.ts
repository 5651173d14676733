/**
 * The JSON-LD context of consent receipts, published by the portal at `/contexts/consent-receipt.jsonld`: the
 * receipt's plain JSON names mapped to the W3C Data Privacy Vocabulary (DPV, `https://w3id.org/dpv#`) and Dublin Core
 * terms, as DPV's profile of ISO/IEC TS 27560:2023 uses them; the NDX-specific terms (fetch type, frequency, start,
 * how to withdraw) in NDX's own namespace under the portal's URL. Protected, so a receipt cannot redefine a term.
 */
export const receiptContextPath = "/contexts/consent-receipt.jsonld";

export function receiptContext(portalUrl: string): Record<string, unknown> {
  const ndx = new URL("/vocab/consent#", portalUrl).toString();
  const vocab = (id: string, extra: Record<string, unknown> = {}) => ({ "@id": id, "@type": "@vocab", ...extra });
  const time = (id: string) => ({ "@id": id, "@type": "xsd:dateTime" });
  return {
    "@context": {
      "@version": 1.1,
      "@protected": true,
      dpv: "https://w3id.org/dpv#",
      dct: "http://purl.org/dc/terms/",
      xsd: "http://www.w3.org/2001/XMLSchema#",
      ndx,
      id: "@id",
      type: "@type",
      ConsentRecord: "dpv:ConsentRecord",
      DataSubject: "dpv:DataSubject",
      DataController: "dpv:DataController",
      Recipient: "dpv:Recipient",
      Purpose: "dpv:Purpose",
      PersonalData: "dpv:PersonalData",
      StorageDuration: "dpv:StorageDuration",
      Consent: "dpv:Consent",
      Use: "dpv:Use",
      Store: "dpv:Store",
      ConsentRequested: "dpv:ConsentRequested",
      ConsentGiven: "dpv:ConsentGiven",
      ConsentRefused: "dpv:ConsentRefused",
      ConsentWithdrawn: "dpv:ConsentWithdrawn",
      ConsentExpired: "dpv:ConsentExpired",
      ConsentUnknown: "dpv:ConsentUnknown",
      GuardianOfDataSubject: "dpv:GuardianOfDataSubject",
      identifier: "dpv:hasIdentifier",
      name: "dpv:hasName",
      title: "dct:title",
      description: "dct:description",
      conformsTo: { "@id": "dct:conformsTo", "@type": "@id" },
      created: time("dct:created"),
      date: time("dct:date"),
      dataSubject: { "@id": "dpv:hasDataSubject" },
      dataController: { "@id": "dpv:hasDataController" },
      recipient: { "@id": "dpv:hasRecipient", "@container": "@set" },
      consentStatus: vocab("dpv:hasConsentStatus"),
      purpose: { "@id": "dpv:hasPurpose" },
      legalBasis: vocab("dpv:hasLegalBasis"),
      personalData: { "@id": "dpv:hasPersonalData", "@container": "@set" },
      processing: vocab("dpv:hasProcessing", { "@container": "@set" }),
      storageCondition: { "@id": "dpv:hasStorageCondition" },
      duration: { "@id": "dpv:hasDuration", "@type": "xsd:duration" },
      events: { "@id": "dct:hasPart", "@container": "@list" },
      actor: { "@id": "dpv:hasEntity" },
      indicatedBy: { "@id": "dpv:isIndicatedBy" },
      indicatedAt: time("dpv:isIndicatedAtTime"),
      basis: { "@id": "ndx:guardianshipBasis" },
      validFrom: time("ndx:validFrom"),
      validUntil: time("ndx:validUntil"),
      keptUntil: { "@id": "ndx:keptUntil" },
      fetchType: { "@id": "ndx:fetchType" },
      frequency: { "@id": "ndx:frequency" },
      withdrawalMethod: { "@id": "ndx:withdrawalMethod", "@type": "@id" },
      paused: { "@id": "ndx:paused", "@type": "xsd:boolean" },
    },
  };
}
