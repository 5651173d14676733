/**
 * What a consumer may ask about a citizen: an application registered with the exchange and not suspended (FORBIDDEN
 * otherwise), one of its registered purposes, at least one and at most 200 (provider, field) pairs, every one in the
 * catalogue. The answer is the scope normalised (sorted, no duplicates).
 */
import type { ScopeRequest } from "@ndx/contracts";
import { ApiError, badInput } from "./apiError.ts";
import type { FieldCatalogue } from "./catalogue.ts";
import { itemKey, normaliseScope, type ScopeItem } from "./scope.ts";
import type { RegisterApplication } from "./register/applicationRegister.ts";

export type { ScopeRequest };

/** What validation reads: the application as registered now, and the catalogue of fields. */
export interface ScopeRules {
  /** The current registration (ApplicationRegister.current: throws UPSTREAM_UNAVAILABLE when the register is stale). */
  readonly application: (id: string) => RegisterApplication | undefined;
  readonly catalogue: FieldCatalogue;
}

/** FORBIDDEN with the reason the gateway's policy gives for the same refusal. */
const refusal = (reason: string, consumerId: string) =>
  new ApiError("FORBIDDEN", reason, { details: { consumerId, reasons: [reason] } });

/** The application may ask for consent now: registered, and not suspended. */
export function askingApplication(application: RegisterApplication | undefined, consumerId: string): RegisterApplication {
  if (application === undefined) throw refusal("application not registered", consumerId);
  if (application.status !== "ACTIVE") throw refusal("application suspended", consumerId);
  return application;
}

const maxFields = 200;

/** Validates a scope request against the registrations and the catalogue; returns the normalised fields. */
export function validateScopeRequest(input: ScopeRequest, rules: ScopeRules): ScopeItem[] {
  const registration = askingApplication(rules.application(input.consumerId), input.consumerId);
  if (!registration.purposes.some((p) => p.code === input.purpose)) {
    throw badInput(`Purpose ${input.purpose} is not registered for consumer ${input.consumerId}`, {
      purpose: input.purpose,
      registeredPurposes: registration.purposes.map((p) => p.code),
    });
  }
  if (input.fields.length === 0) throw badInput("fields must name at least one (provider, field) pair");
  if (input.fields.length > maxFields) throw badInput(`fields may name at most ${maxFields} pairs`);
  const unknown = input.fields.filter((f) => !rules.catalogue.has(f));
  if (unknown.length > 0) {
    throw badInput(`Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.map(itemKey).join(", ")}`, {
      unknownFields: unknown.map((f) => ({ provider: f.provider, field: f.field })),
    });
  }
  return normaliseScope(input.fields);
}
