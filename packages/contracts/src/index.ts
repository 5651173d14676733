export type * from "./citizen.ts";
export type * from "./consumer.ts";
export type * from "./devUser.ts";
export * from "./contract.ts";
export * from "./consentCheck.ts";
export * from "./revisionStream.ts";
export * from "./citizenAccess.ts";
export * from "./exchangeRegister.ts";
export * from "./auditSummary.ts";
