/**
 * Bounds on what a client's input values may hold, where input enters a service: no list or object nested deeper than
 * a limit (a 10,000-deep payload overflows the stack of every recursive walk after it: JSON.stringify, JSON Schema
 * validation, the subgraph client), and no NUL character in any string or key (PostgreSQL text cannot hold one, so it
 * fails deep in a query). Variables are walked without recursion before anything else reads them; literals written in
 * the document are checked by a validation rule, and the document's own nesting before it is parsed. Each refusal is
 * a 400 BAD_USER_INPUT that says what was wrong.
 */
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type ListValueNode,
  type ObjectValueNode,
  type ValidationContext,
  type ValidationRule,
  type parse,
} from "graphql";
import { ndxError } from "./errors.ts";

export interface InputLimits {
  /** Deepest nesting of lists and objects in one input value (a variable, an argument). @default 32 */
  readonly maxDepth?: number;
  /**
   * Deepest nesting of lists in a value written in the query (variables are not affected). @default maxDepth
   * (The gateway sets it lower: Apollo's query planner walks a list literal once per enclosing list, 2^depth steps.)
   */
  readonly maxLiteralListDepth?: number;
  /**
   * Deepest nesting of brackets ({, [, () in a document, checked before it is parsed: graphql-js's parser recurses
   * once per level and overflows the stack somewhere past a few thousand. @default 128
   */
  readonly maxDocumentNesting?: number;
}

export const defaultMaxInputDepth = 32;

export interface JsonValueLimits extends InputLimits {
  /** Largest value as JSON text, in UTF-16 code units. @default unbounded */
  readonly maxLength?: number;
}

/**
 * What is wrong with a JSON-like value, or undefined when nothing is: nested deeper than `maxDepth`, a NUL in a
 * string or key, longer than `maxLength` as JSON. Iterative: any depth is walked without growing the stack.
 */
export function jsonValueProblem(value: unknown, limits: JsonValueLimits = {}): string | undefined {
  const maxDepth = limits.maxDepth ?? defaultMaxInputDepth;
  const stack: [unknown, number][] = [[value, 0]];
  let length = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === "string") {
      if (v.includes("\u0000")) return "holds a NUL character (\\u0000), which no text field accepts";
      length += v.length + 2;
    } else if (typeof v === "object" && v !== null) {
      if (depth + 1 > maxDepth) return `is nested deeper than ${maxDepth} levels of lists and objects`;
      length += 2;
      if (Array.isArray(v)) for (const item of v) stack.push([item, depth + 1]);
      else {
        for (const [key, item] of Object.entries(v)) {
          if (key.includes("\u0000")) return "holds a NUL character (\\u0000) in a key";
          length += key.length + 4;
          stack.push([item, depth + 1]);
        }
      }
    } else length += String(v).length + 1;
    if (limits.maxLength !== undefined && length > limits.maxLength) return `is longer than ${limits.maxLength} characters as JSON`;
  }
  return undefined;
}

/** The first variable that breaks the limits, as a 400 BAD_USER_INPUT naming it; undefined when all are within. */
export function variablesError(variables: unknown, limits: InputLimits = {}): GraphQLError | undefined {
  if (typeof variables !== "object" || variables === null || Array.isArray(variables)) return undefined;
  for (const [name, value] of Object.entries(variables)) {
    const problem = jsonValueProblem(value, limits);
    if (problem !== undefined) return ndxError("BAD_USER_INPUT", `Variable "$${name}" ${problem}`, { details: { variable: name } });
  }
  return undefined;
}

const opening = new Set<string>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const closing = new Set<string>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * A 400 BAD_USER_INPUT when the document nests brackets deeper than `max`, found by lexing (no recursion); undefined
 * otherwise, syntax errors included (the parser reports those).
 */
export function documentNestingError(source: string | Source, max: number): GraphQLError | undefined {
  const lexer = new Lexer(typeof source === "string" ? new Source(source) : source);
  let depth = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (opening.has(token.kind)) {
        depth += 1;
        if (depth > max) return ndxError("BAD_USER_INPUT", `The document nests brackets deeper than ${max} levels`);
      } else if (closing.has(token.kind)) depth -= 1;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A validation rule: no literal nested deeper than the limits, and no NUL in a string literal. */
export function inputLiteralLimitsRule(limits: InputLimits = {}): ValidationRule {
  const maxDepth = limits.maxDepth ?? defaultMaxInputDepth;
  const maxListDepth = limits.maxLiteralListDepth ?? maxDepth;
  return (context: ValidationContext): ASTVisitor => {
    let depth = 0;
    let lists = 0;
    let reported = false;
    const report = (node: ListValueNode | ObjectValueNode, message: string) => {
      if (reported) return;
      reported = true;
      context.reportError(new GraphQLError(message, { nodes: node }));
    };
    const enter = (node: ListValueNode | ObjectValueNode) => {
      depth += 1;
      if (node.kind === Kind.LIST) lists += 1;
      if (depth > maxDepth) report(node, `A value written in the query is nested deeper than ${maxDepth} levels of lists and objects`);
      else if (lists > maxListDepth) {
        report(node, `A value written in the query nests lists deeper than ${maxListDepth} levels; pass such a value as a variable`);
      }
    };
    const leave = (node: ListValueNode | ObjectValueNode) => {
      depth -= 1;
      if (node.kind === Kind.LIST) lists -= 1;
    };
    return {
      [Kind.LIST]: { enter, leave },
      [Kind.OBJECT]: { enter, leave },
      [Kind.STRING](node) {
        if (node.value.includes("\u0000")) {
          context.reportError(new GraphQLError("A string written in the query holds a NUL character (\\u0000), which no text field accepts", { nodes: node }));
        }
      },
    };
  };
}

/**
 * A yoga plugin: variables within the limits before anything reads them, and the literal rule in validation.
 * Validation errors become BAD_USER_INPUT through useInputErrorCodes.
 */
export function useInputLimits(limits: InputLimits = {}) {
  const rule = inputLiteralLimitsRule(limits);
  const maxNesting = limits.maxDocumentNesting ?? 128;
  return {
    // Wraps the parse function, so a document served from yoga's parse cache is not lexed again.
    onParse({ parseFn, setParseFn }: { parseFn: typeof parse; setParseFn: (fn: typeof parse) => void }) {
      setParseFn((source, options) => {
        const error = documentNestingError(source, maxNesting);
        if (error !== undefined) throw error;
        return parseFn(source, options);
      });
    },
    onParams({ params }: { params: { variables?: unknown } }) {
      const error = variablesError(params.variables, limits);
      if (error !== undefined) throw error;
    },
    onValidate({ addValidationRule }: { addValidationRule: (rule: ValidationRule) => void }) {
      addValidationRule(rule);
    },
  };
}
