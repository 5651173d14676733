/**
 * The `JSON` scalar: any JSON value, as a variable or written inline in the query — nested at most 32 deep, at most
 * 64 KiB as JSON text, and no NUL character in any string or key (PostgreSQL text refuses one). A value outside these
 * is a BAD_USER_INPUT saying which bound it broke, before any resolver, JSON Schema check or query sees it.
 */
import { ndxError, jsonValueProblem } from "@ndx/platform";
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";

/** The bounds of a JSON value (a record, a payload). */
const jsonLimits = { maxDepth: 32, maxLength: 65_536 } as const;

function fromLiteral(node: ValueNode, variables: Readonly<Record<string, unknown>> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => fromLiteral(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, fromLiteral(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    case Kind.ENUM:
      return node.value;
  }
}

/** The value, when it is within the bounds; otherwise a BAD_USER_INPUT. */
function bounded(value: unknown): unknown {
  const problem = jsonValueProblem(value, jsonLimits);
  if (problem !== undefined) throw ndxError("BAD_USER_INPUT", `A JSON value ${problem}`, { httpStatus: false });
  return value;
}

export const jsonScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: bounded,
  parseLiteral: (node, variables) => bounded(fromLiteral(node, variables)),
});
