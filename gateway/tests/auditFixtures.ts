/** The audit record of a permitted read about one citizen, as the access plugin writes it: for the audit log's tests. */
export const permitRecord = (subject = "199012345678") => ({
  kind: "decision" as const,
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  caller: "consumer" as const,
  consumer: "passport-app",
  purpose: "passport-application",
  operationName: "Person",
  subjects: [subject],
  fields: [{ provider: "registry", field: "Person.fullName", classification: "PERSONAL" as const }],
  consentIds: ["c-1"],
  policyRevision: "0aeada96aac8ee6b",
  decision: "permit" as const,
  reasons: [],
  decisionId: null,
  outcome: null,
});
