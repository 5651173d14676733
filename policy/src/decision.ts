/** The policy's input document and its answer: the contract between the gateway and the Rego. */

export type DataClass = "PUBLIC" | "INTERNAL" | "PERSONAL" | "SENSITIVE";

export interface FieldAccess {
  readonly provider: string;
  /** `Type.field`, e.g. `Person.permanentAddress`. */
  readonly field: string;
  readonly classification: DataClass;
}

export interface AccessInput {
  /** `consumer` for applications (client credentials), `staff` for signed-in registry staff. */
  readonly caller: "consumer" | "staff" | "citizen";
  /** `report`: one of the gateway's own read-outs over HTTP (e.g. GET /audit/summary), named in `report`. */
  readonly operation: "query" | "mutation" | "subscription" | "report";
  /** With operation `report`: which one (a key of data.reports, e.g. `auditSummary`). */
  readonly report?: string;
  readonly consumer?: { readonly id: string; readonly scopes?: readonly string[] };
  readonly roles?: readonly string[];
  readonly purpose?: string | undefined;
  /** The citizens the request is about (NICs). */
  readonly subjects?: readonly string[];
  readonly fields?: readonly FieldAccess[];
  /** Root mutation fields, for writes. */
  readonly mutations?: readonly string[];
  readonly consent?: { readonly covered: boolean; readonly consentIds?: readonly string[] };
  /** Wall-clock time in the exchange's time zone, for access windows. */
  readonly time: { readonly iso: string; readonly weekday: string; readonly hour: number; readonly timezone: string };
}

export interface Decision {
  readonly allow: boolean;
  /** Why not, in plain words; empty when allowed or when only consent is missing. */
  readonly reasons: readonly string[];
  /** Nothing forbids the request, but the citizen's consent does not cover it yet. */
  readonly consentRequired: boolean;
}

/**
 * What the policy knows of one consumer application, derived from the exchange's register by the gateway and set as
 * `data.consumers[<id>]` at run time.
 */
export interface ConsumerPolicyData {
  /** Purpose code → its limits; a request may declare only these. */
  readonly purposes: Readonly<Record<string, { readonly maxConsentDays: number; readonly maxSubjectsPerRequest?: number }>>;
  /** Purpose → provider → the `Type.field`s its live grants name. */
  readonly grants: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly clearance: DataClass;
  readonly bulkAccess: boolean;
  /** Refused with the one reason "application suspended". */
  readonly suspended: boolean;
  /** When it may read, in the exchange's time zone. @default any time */
  readonly accessWindow?: { readonly days: readonly string[]; readonly fromHour: number; readonly toHour: number };
}

/** Run-time policy data: merged over the bundle's static data (top-level keys replace), named by its revision. */
export interface PolicyData {
  readonly document: { readonly consumers: Readonly<Record<string, ConsumerPolicyData>> };
  /** Recorded after the bundle's in every decision it makes, e.g. `r42` for register revision 42. */
  readonly revision: string;
}
