/** Shape checks of the API's JSON bodies: wrong or missing types become BAD_USER_INPUT naming the property. */
import { badInput } from "./apiError.ts";
import { parseTerms, wireTerms } from "./consentTerms.ts";
import type { ScopeItem } from "./scope.ts";
import type { ScopeRequest } from "./scopeRequest.ts";

type Json = Record<string, unknown>;

const citizenIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function asObject(body: unknown): Json {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badInput("The body must be a JSON object");
  return body as Json;
}

function text(body: Json, name: string, pattern: RegExp, what: string): string {
  const value = body[name];
  if (typeof value !== "string") throw badInput(`${name} must be a string (${what})`, { property: name });
  if (!pattern.test(value)) throw badInput(`${name} is not a valid ${what}`, { property: name });
  return value;
}

const citizenId = (body: Json): string => text(body, "citizenId", citizenIdPattern, "citizen id (NIC)");

function fields(body: Json): ScopeItem[] {
  const value = body["fields"];
  if (!Array.isArray(value)) throw badInput("fields must be an array of {provider, field}", { property: "fields" });
  if (value.length > 1000) throw badInput("fields has too many entries", { property: "fields" });
  return value.map((item: unknown, i) => {
    if (typeof item !== "object" || item === null) throw badInput(`fields[${i}] must be {provider, field}`);
    const { provider, field } = item as Json;
    if (typeof provider !== "string" || typeof field !== "string" || provider.length > 64 || field.length > 128) {
      throw badInput(`fields[${i}] must be {provider: string, field: string}`, { property: `fields[${i}]` });
    }
    return { provider, field };
  });
}

export function scopeRequest(body: unknown): ScopeRequest {
  const o = asObject(body);
  return {
    consumerId: text(o, "consumerId", idPattern, "consumer id"),
    citizenId: citizenId(o),
    purpose: text(o, "purpose", idPattern, "purpose"),
    fields: fields(o),
    ...(o["terms"] === undefined ? {} : { terms: wireTerms(parseTerms(o["terms"])) }),
  };
}

export function checkRequest(body: unknown): ScopeRequest & { openRequest: boolean; spend: boolean } {
  const o = asObject(body);
  const open = o["openRequest"];
  if (open !== undefined && typeof open !== "boolean") throw badInput("openRequest must be true or false", { property: "openRequest" });
  const spend = o["spend"];
  if (spend !== undefined && typeof spend !== "boolean") throw badInput("spend must be true or false", { property: "spend" });
  return { ...scopeRequest(o), openRequest: open === true, spend: spend === true };
}

export function grantRequest(body: unknown): { citizenId: string; durationDays: number } {
  const o = asObject(body);
  const days = o["durationDays"];
  if (typeof days !== "number" || !Number.isInteger(days)) {
    throw badInput("durationDays must be a whole number of days", { property: "durationDays" });
  }
  return { citizenId: citizenId(o), durationDays: days };
}

export function actingRequest(body: unknown): { citizenId: string } {
  return { citizenId: citizenId(asObject(body)) };
}

export function isCitizenId(value: string): boolean {
  return citizenIdPattern.test(value);
}
