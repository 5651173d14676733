/**
 * What a consumer may ask about a citizen: its registered purposes only, at least one and at most 200 (provider, field)
 * pairs, every one in the catalogue. The answer is the scope normalised (sorted, no duplicates).
 */
import type { ScopeRequest } from "@ndx/contracts";
import { badInput } from "./apiError.ts";
import type { FieldCatalogue } from "./catalogue.ts";
import type { ConsumerRegistration } from "./consumerStore.ts";
import { itemKey, normaliseScope, type ScopeItem } from "./scope.ts";

export type { ScopeRequest };

/** What validation reads: the consumer's registration and the catalogue of fields. */
export interface ScopeRules {
  readonly consumer: (id: string) => Promise<ConsumerRegistration | undefined>;
  readonly catalogue: FieldCatalogue;
}

const maxFields = 200;

/** Validates a scope request against the registrations and the catalogue; returns the normalised fields. */
export async function validateScopeRequest(input: ScopeRequest, rules: ScopeRules): Promise<ScopeItem[]> {
  const registration = await rules.consumer(input.consumerId);
  if (registration === undefined) throw badInput(`Unknown consumer ${input.consumerId}`, { consumerId: input.consumerId });
  if (!registration.purposes.includes(input.purpose)) {
    throw badInput(`Purpose ${input.purpose} is not registered for consumer ${input.consumerId}`, {
      purpose: input.purpose,
      registeredPurposes: registration.purposes,
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
