/**
 * Registers are metadata: one JSON file per register (registers/*.json) gives its JSON Schema, which fields identify
 * a record, which are sensitive (encrypted at rest), which together flag a possible duplicate, and where its records
 * live — the generic `register_record` table unless the file maps the register onto a typed table of its own (as
 * the person register keeps its `person` table). Adding a register is adding a file; no code changes.
 *
 * Files are checked when loaded, so a mistake in one stops the registry at start-up with every problem named.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/** Where a register's records live. */
export type RegisterStorage =
  | { readonly kind: "document" }
  | {
      readonly kind: "table";
      readonly table: string;
      /** Field → column, for every field that is not sensitive. */
      readonly columns: Readonly<Record<string, string>>;
      readonly keyColumn: string;
    };

export interface RegisterDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** The JSON Schema (an object schema) every record satisfies. */
  readonly recordSchema: Readonly<Record<string, unknown>>;
  /** The field whose value is the record's id; undefined when the registry assigns ids. */
  readonly keyField: string | undefined;
  /** Fields that identify a record on their own (the key field included): one value, one record. */
  readonly identifierFields: readonly string[];
  /** Fields stored encrypted. */
  readonly sensitiveFields: readonly string[];
  /** Field sets that, normalised and all equal, make a new record resemble an existing one. */
  readonly duplicateRules: readonly (readonly string[])[];
  readonly storage: RegisterStorage;
  /** Validates a whole record. */
  readonly validate: ValidateFunction;
}

export interface RegisterCatalogue {
  readonly registers: readonly RegisterDefinition[];
  get(name: string): RegisterDefinition | undefined;
}

export class RegisterMetadataError extends Error {
  override name = "RegisterMetadataError";
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** The shape of a register file. */
const metadataSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "title", "description", "recordSchema"],
  properties: {
    $comment: { type: "string" },
    name: { type: "string", pattern: "^[a-z][a-z0-9-]{1,62}$" },
    title: { type: "string", minLength: 1 },
    description: { type: "string" },
    keyField: { type: "string", minLength: 1 },
    identifierFields: { type: "array", items: { type: "string" }, uniqueItems: true },
    sensitiveFields: { type: "array", items: { type: "string" }, uniqueItems: true },
    duplicateRules: { type: "array", items: { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true } },
    storage: {
      type: "object",
      additionalProperties: false,
      required: ["table", "columns"],
      properties: {
        table: { type: "string", pattern: identifier.source },
        columns: { type: "object", additionalProperties: { type: "string", pattern: identifier.source } },
      },
    },
    recordSchema: {
      type: "object",
      required: ["type", "properties", "additionalProperties"],
      properties: {
        type: { const: "object" },
        properties: { type: "object", minProperties: 1 },
        additionalProperties: { const: false },
        required: { type: "array", items: { type: "string" } },
      },
    },
  },
} as const;

interface MetadataFile {
  name: string;
  title: string;
  description: string;
  keyField?: string;
  identifierFields?: string[];
  sensitiveFields?: string[];
  duplicateRules?: string[][];
  storage?: { table: string; columns: Record<string, string> };
  recordSchema: { type: "object"; properties: Record<string, Record<string, unknown>>; required?: string[] };
}

/** One Ajv for all registers: every error at once, strict about the schemas themselves, standard formats. */
export function createSchemaValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  addFormatsModule.default(ajv);
  return ajv;
}

const describe = (errors: readonly ErrorObject[] | null | undefined): string =>
  (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`).join("; ");

/** Checks one register file's content; returns the definition or throws naming every problem. */
export function defineRegister(raw: unknown, source: string, ajv: Ajv = createSchemaValidator()): RegisterDefinition {
  const checkShape = ajv.compile<MetadataFile>(metadataSchema);
  if (!checkShape(raw)) throw new RegisterMetadataError(`${source}: ${describe(checkShape.errors)}`);
  const file = raw;
  const problems: string[] = [];
  const fields = new Set(Object.keys(file.recordSchema.properties));
  const required = new Set(file.recordSchema.required ?? []);
  const mustBeField = (name: string, role: string) => {
    if (!fields.has(name)) problems.push(`${role} "${name}" is not a property of recordSchema`);
  };
  const sensitive = file.sensitiveFields ?? [];
  sensitive.forEach((f) => mustBeField(f, "sensitive field"));
  (file.identifierFields ?? []).forEach((f) => mustBeField(f, "identifier field"));
  (file.duplicateRules ?? []).flat().forEach((f) => mustBeField(f, "duplicate-rule field"));
  if (file.keyField !== undefined) {
    mustBeField(file.keyField, "keyField");
    if (!required.has(file.keyField)) problems.push(`keyField "${file.keyField}" must be required by recordSchema`);
    if (sensitive.includes(file.keyField)) problems.push(`keyField "${file.keyField}" cannot be sensitive: it is the record's id`);
    if (file.recordSchema.properties[file.keyField]?.["type"] !== "string") {
      problems.push(`keyField "${file.keyField}" must be a string property`);
    }
  }

  let storage: RegisterStorage = { kind: "document" };
  if (file.storage !== undefined) {
    const { table, columns } = file.storage;
    if (file.keyField === undefined) problems.push("a register stored in a table of its own needs a keyField");
    for (const field of fields) {
      const isSensitive = sensitive.includes(field);
      if (isSensitive && columns[field] !== undefined) {
        problems.push(`sensitive field "${field}" cannot have a plain column; it is stored encrypted`);
      }
      if (!isSensitive && columns[field] === undefined) problems.push(`field "${field}" has no column in table ${table}`);
      const type = file.recordSchema.properties[field]?.["type"];
      if (!isSensitive && !["string", "integer", "number", "boolean"].includes(String(type))) {
        problems.push(`field "${field}" of table storage must be a string, integer, number or boolean`);
      }
    }
    for (const field of Object.keys(columns)) mustBeField(field, "column mapping");
    const keyColumn = file.keyField === undefined ? undefined : columns[file.keyField];
    if (keyColumn !== undefined) storage = { kind: "table", table, columns, keyColumn };
  }

  let validate: ValidateFunction | undefined;
  try {
    validate = ajv.compile(file.recordSchema);
  } catch (error) {
    problems.push(`recordSchema is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0 || validate === undefined) {
    throw new RegisterMetadataError(`${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  const identifiers = [...new Set([...(file.keyField === undefined ? [] : [file.keyField]), ...(file.identifierFields ?? [])])];
  return {
    name: file.name,
    title: file.title,
    description: file.description,
    recordSchema: file.recordSchema,
    keyField: file.keyField,
    identifierFields: identifiers,
    sensitiveFields: sensitive,
    duplicateRules: file.duplicateRules ?? [],
    storage,
    validate,
  };
}

export function createRegisterCatalogue(definitions: readonly RegisterDefinition[]): RegisterCatalogue {
  const byName = new Map<string, RegisterDefinition>();
  for (const d of definitions) {
    if (byName.has(d.name)) throw new RegisterMetadataError(`two registers are named ${d.name}`);
    byName.set(d.name, d);
  }
  const tables = definitions.flatMap((d) => (d.storage.kind === "table" ? [d.storage.table] : []));
  if (new Set(tables).size !== tables.length) throw new RegisterMetadataError("two registers map onto the same table");
  return {
    registers: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => byName.get(name),
  };
}

/** Reads every `*.json` in a directory as a register definition. */
export function loadRegisters(dir: string): RegisterCatalogue {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  } catch {
    throw new RegisterMetadataError(`Cannot read register metadata in ${dir}; set REGISTERS_DIR to its folder`);
  }
  const ajv = createSchemaValidator();
  const definitions = files.map((file) => {
    const path = join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new RegisterMetadataError(`${path}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    return defineRegister(raw, path, ajv);
  });
  if (definitions.length === 0) throw new RegisterMetadataError(`${dir} holds no register metadata (*.json)`);
  return createRegisterCatalogue(definitions);
}
