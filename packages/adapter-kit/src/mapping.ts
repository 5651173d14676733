/**
 * Declarative field mapping: which upstream path each GraphQL field comes from, as data (a `mapping.json` per
 * adapter), after the source material's providerKey / schemaId / providerField. The engine checks a mapping against
 * the adapter's SDL at start-up, then turns upstream records into GraphQL objects, coercing each value to the
 * field's GraphQL type (`Int!` from "2019", a single XML element into a list, a nested record into an object
 * type that has its own mapping). A value that is missing or of the wrong type is a malformed upstream answer.
 */
import { readFileSync } from "node:fs";
import { buildSubgraphSchema } from "@apollo/subgraph";
import {
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import { UpstreamError } from "./upstreamError.ts";

export interface FieldMapping {
  /** Dot path in the upstream record, e.g. `person.fullName`. */
  readonly providerField: string;
  readonly description?: string;
}

export interface TypeMapping {
  /** Which upstream record this type is read from (documentation). */
  readonly source?: string;
  /** Fields taken from the entity representation rather than from the upstream (the @key fields). */
  readonly key?: readonly string[];
  readonly fields: Readonly<Record<string, FieldMapping>>;
}

export interface Mapping {
  /** providerKey: the provider (subgraph) name. */
  readonly provider: string;
  /** The upstream's schema identifier and version. */
  readonly schemaId: string;
  readonly types: Readonly<Record<string, TypeMapping>>;
}

export class MappingError extends Error {
  override name = "MappingError";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid mapping:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

const pathPattern = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;
const forbiddenSegments = new Set(["__proto__", "prototype", "constructor"]);

/** Reads and checks the shape of a mapping file. */
export function loadMapping(file: string): Mapping {
  return parseMapping(JSON.parse(readFileSync(file, "utf8")) as unknown);
}

export function parseMapping(value: unknown): Mapping {
  const problems: string[] = [];
  if (!isRecord(value)) throw new MappingError(["a mapping is a JSON object"]);
  if (typeof value["provider"] !== "string" || value["provider"] === "") problems.push("provider must be a non-empty string");
  if (typeof value["schemaId"] !== "string" || value["schemaId"] === "") problems.push("schemaId must be a non-empty string");
  const types = value["types"];
  if (!isRecord(types)) problems.push("types must be an object of GraphQL type name → type mapping");
  else {
    for (const [typeName, type] of Object.entries(types)) {
      if (!isRecord(type) || !isRecord(type["fields"])) {
        problems.push(`${typeName}: fields must be an object of GraphQL field name → { providerField }`);
        continue;
      }
      const key = type["key"];
      if (key !== undefined && !(Array.isArray(key) && key.every((k) => typeof k === "string"))) {
        problems.push(`${typeName}.key must be a list of field names`);
      }
      for (const [fieldName, field] of Object.entries(type["fields"])) {
        const path = isRecord(field) ? field["providerField"] : undefined;
        if (typeof path !== "string" || !pathPattern.test(path) || path.split(".").some((s) => forbiddenSegments.has(s))) {
          problems.push(`${typeName}.${fieldName}.providerField must be a dot path like "person.fullName"`);
        }
      }
    }
  }
  if (problems.length > 0) throw new MappingError(problems);
  return value as unknown as Mapping;
}

/** What is wrong with a mapping for a schema: unknown types or fields, unmapped fields, unmapped nested types. */
export function checkMapping(mapping: Mapping, schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const [typeName, type] of Object.entries(mapping.types)) {
    const gqlType = schema.getType(typeName);
    if (!isObjectType(gqlType)) {
      problems.push(`${typeName} is not an object type of the schema`);
      continue;
    }
    const fields = gqlType.getFields();
    const key = new Set(type.key ?? []);
    for (const k of key) if (fields[k] === undefined) problems.push(`${typeName}.key: ${k} is not a field of ${typeName}`);
    for (const [fieldName, field] of Object.entries(type.fields)) {
      const gqlField = fields[fieldName];
      if (gqlField === undefined) {
        problems.push(`${typeName}.${fieldName} is not a field of ${typeName}`);
        continue;
      }
      const named = getNamedType(gqlField.type);
      if (isObjectType(named) && mapping.types[named.name] === undefined) {
        problems.push(`${typeName}.${fieldName} ⇐ ${field.providerField} is a ${named.name}, which has no mapping`);
      }
    }
    for (const fieldName of Object.keys(fields)) {
      if (type.fields[fieldName] === undefined && !key.has(fieldName)) {
        problems.push(`${typeName}.${fieldName} has no mapping (map it, or list it in key)`);
      }
    }
  }
  return problems;
}

export interface Mapper {
  readonly mapping: Mapping;
  /** The GraphQL object of `typeName` read from an upstream record. Throws UpstreamError("malformed"). */
  map(typeName: string, record: unknown): Record<string, unknown>;
  /** Every mapped field of `typeName` as null: for a record the upstream does not have. */
  nulls(typeName: string): Record<string, null>;
}

/** A mapper for the adapter's subgraph SDL; throws MappingError when the mapping does not fit the SDL. */
export function createMapper(mapping: Mapping, sdl: string): Mapper {
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl) });
  const problems = checkMapping(mapping, schema);
  if (problems.length > 0) throw new MappingError(problems);
  const provider = mapping.provider;

  const malformed = (where: string, why: string) => new UpstreamError("malformed", provider, `${where}: ${why}`);

  function mapObject(typeName: string, record: unknown, where: string): Record<string, unknown> {
    const type = mapping.types[typeName];
    const gqlType = schema.getType(typeName) as GraphQLObjectType;
    if (type === undefined) throw new Error(`no mapping for ${typeName}`);
    if (!isRecord(record)) throw malformed(where, `expected a record for ${typeName}`);
    const out: Record<string, unknown> = {};
    const fields = gqlType.getFields();
    for (const [fieldName, field] of Object.entries(type.fields)) {
      const gqlField = fields[fieldName];
      if (gqlField === undefined) continue;
      const at = `${typeName}.${fieldName} ⇐ ${field.providerField}`;
      out[fieldName] = coerce(read(record, field.providerField), gqlField.type, at);
    }
    return out;
  }

  function coerce(raw: unknown, type: GraphQLOutputType, where: string): unknown {
    if (isNonNullType(type)) {
      const value = coerce(raw, type.ofType, where);
      if (value === null) throw malformed(where, "required value is missing");
      return value;
    }
    const value = unwrapXml(raw);
    if (value === undefined || value === null) return null;
    if (isListType(type)) {
      // An empty XML element is an empty list; a single repeated element arrives as one value.
      if (value === "") return [];
      const items = Array.isArray(value) ? value : [value];
      return items.map((item, i) => coerce(item, type.ofType, `${where}[${i}]`));
    }
    if (isObjectType(type)) {
      if (value === "") return null;
      return mapObject(type.name, value, where);
    }
    if (isEnumType(type)) {
      if (typeof value === "string" && type.getValue(value) !== undefined) return value;
      throw malformed(where, `expected one of ${type.name}`);
    }
    if (isScalarType(type)) return coerceScalar(value, type.name, where);
    throw malformed(where, `cannot map to ${String(type)}`);
  }

  function coerceScalar(value: unknown, scalar: string, where: string): unknown {
    switch (scalar) {
      case "String":
      case "ID":
        if (typeof value === "string") return value;
        if (typeof value === "number" || typeof value === "boolean") return String(value);
        break;
      case "Int": {
        const n = typeof value === "string" && /^-?\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : value;
        if (typeof n === "number" && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return n;
        break;
      }
      case "Float": {
        const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
        if (typeof n === "number" && Number.isFinite(n)) return n;
        break;
      }
      case "Boolean":
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        break;
      default:
        return value;
    }
    throw malformed(where, `expected ${scalar}`);
  }

  return {
    mapping,
    map: (typeName, record) => mapObject(typeName, record, typeName),
    nulls(typeName) {
      const type = mapping.types[typeName];
      if (type === undefined) throw new Error(`no mapping for ${typeName}`);
      return Object.fromEntries(Object.keys(type.fields).map((f) => [f, null]));
    },
  };
}

function read(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const segment of path.split(".")) {
    const value = unwrapXml(current);
    if (!isRecord(value) || !Object.hasOwn(value, segment)) return undefined;
    current = value[segment];
  }
  return current;
}

/** XML-shaped values (fast-xml-parser): `xsi:nil="true"` is null; an element with attributes holds its text in #text. */
function unwrapXml(value: unknown): unknown {
  if (!isRecord(value)) return value;
  if (value["@_nil"] === "true") return null;
  if (Object.hasOwn(value, "#text")) return value["#text"];
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
