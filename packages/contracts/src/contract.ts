/**
 * A wire contract: a type and the JSON Schema that checks a value of it, compiled once (Ajv, as the registry's
 * register schemas are) on first use, so the side that receives JSON checks it in one generated function rather than
 * casting it. `JSONSchemaType<T>` makes the compiler hold the schema and the type together: a field added to one and
 * not the other does not typecheck. Extra properties are allowed (a newer sender may say more), missing or mistyped
 * ones are not.
 */
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

export interface Contract<T> {
  /** What the value is, for messages: e.g. "consent check answer". */
  readonly name: string;
  /** Whether `value` is a `T`. */
  is(value: unknown): value is T;
  /** Why `value` is not a `T` (the first problem, e.g. "/covered/0/consentIds must be array"), or undefined when it is. */
  problem(value: unknown): string | undefined;
  /** `value` as a `T`, or why it is not one: both from one run of the validator. */
  parse(value: unknown): Parsed<T>;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

let shared: Ajv | undefined;
const ajv = (): Ajv => {
  if (shared === undefined) {
    shared = new Ajv({ strict: true, allErrors: false, discriminator: true });
    addFormatsModule.default(shared, ["date-time"]);
  }
  return shared;
};

const describe = (errors: readonly ErrorObject[] | null | undefined): string => {
  const first = errors?.[0];
  return first === undefined ? "invalid" : `${first.instancePath || "the value"} ${first.message ?? "is invalid"}`;
};

export function contract<T>(name: string, schema: JSONSchemaType<T>): Contract<T> {
  let validate: ValidateFunction<T> | undefined;
  const compiled = (): ValidateFunction<T> => (validate ??= ajv().compile(schema));
  return {
    name,
    is: (value: unknown): value is T => compiled()(value),
    problem(value) {
      const check = compiled();
      return check(value) ? undefined : describe(check.errors);
    },
    parse(value) {
      const check = compiled();
      return check(value) ? { ok: true, value } : { ok: false, problem: describe(check.errors) };
    },
  };
}
