/** Bounded input: every text the exchange stores has a length limit, and required ones may not be blank. */
import { badInput } from "./errors.ts";

export const limits = {
  name: 200,
  description: 2000,
  text: 500,
  justification: 2000,
  comment: 2000,
  reason: 500,
  email: 254,
  username: 100,
  people: 50,
  providers: 20,
  redirectUris: 10,
  uri: 2000,
  purposes: 20,
  fields: 200,
  jwks: 20_000,
} as const;

/** The trimmed text, refused when blank (if required) or longer than `max`. */
export function text(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === "") throw badInput(`${field} is required`, { field });
  if (trimmed.length > max) throw badInput(`${field} is longer than ${max} characters`, { field, max });
  return trimmed;
}

export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  return text(value, field, max);
}

export function atMost<T>(values: readonly T[], field: string, max: number, min = 0): readonly T[] {
  if (values.length > max) throw badInput(`${field}: at most ${max}`, { field, max });
  if (values.length < min) throw badInput(`${field}: at least ${min}`, { field, min });
  return values;
}
