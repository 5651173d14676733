/**
 * Which parts of the input document the policy can read, worked out from the Rego's syntax tree (`opa parse`) when
 * the bundle is built. The decision is a function of those values and the bundle's data alone, so two requests that
 * agree on them get the same decision and one evaluation can answer both (decisionMemo.ts).
 *
 * The analysis is sound by construction: Rego reads the input only through references rooted at `input`, so every
 * such reference is collected. A reference is kept up to its last constant key (`input.fields[i]` keeps `fields`,
 * a bare `input` keeps everything). A reference that is only ever counted (`count(input.subjects)`) keeps only its
 * length: the policy then never sees which citizens a request is about, only how many. Calls outside a list of
 * builtins known to be pure (time, randomness, network, `io.jwt.decode_verify`'s clock…) turn memoising off.
 */

/** A path of constant keys under `input`; `[]` is the whole input. */
export type InputPath = readonly string[];

export type DecisionInput =
  | { readonly memoise: true; readonly version: number; readonly read: readonly InputPath[]; readonly counted: readonly InputPath[] }
  | { readonly memoise: false; readonly version: number; readonly why: string };

/** Bumped whenever the analysis changes, so bundles built by an older one are rebuilt. */
export const decisionInputVersion = 1;

/** Builtins whose result depends on their arguments alone. Anything else keeps decisions from being memoised. */
const pureBuiltins = new Set([
  "eq", "equal", "neq", "lt", "lte", "gt", "gte", "assign", "plus", "minus", "mul", "div", "rem", "abs", "round",
  "ceil", "floor", "and", "or", "count", "sum", "product", "max", "min", "sort", "all", "any", "concat", "contains",
  "endswith", "startswith", "format_int", "indexof", "indexof_n", "lower", "upper", "replace", "split", "sprintf",
  "substring", "trim", "trim_left", "trim_right", "trim_prefix", "trim_suffix", "trim_space", "strings.reverse",
  "strings.replace_n", "strings.any_prefix_match", "strings.any_suffix_match", "strings.count", "array.concat",
  "array.slice", "array.reverse", "object.get", "object.keys", "object.remove", "object.union", "object.union_n",
  "object.filter", "object.subset", "intersection", "union", "is_array", "is_boolean", "is_null", "is_number",
  "is_object", "is_set", "is_string", "type_name", "to_number", "regex.match", "regex.split", "regex.find_n",
  "regex.is_valid", "glob.match", "json.marshal", "json.unmarshal", "json.is_valid", "base64.encode",
  "base64.decode", "base64url.encode", "base64url.decode", "urlquery.encode", "urlquery.decode", "numbers.range",
  "units.parse", "units.parse_bytes", "time.parse_rfc3339_ns", "time.parse_ns", "time.date", "time.clock",
  "time.weekday", "time.add_date", "time.diff", "net.cidr_contains", "net.cidr_intersects", "semver.compare",
  "semver.is_valid", "crypto.sha256", "crypto.md5", "crypto.sha1", "internal.member_2", "internal.member_3",
  "walk", "print", "internal.print", "trace",
]);

interface Term {
  readonly type: string;
  readonly value: unknown;
}

const isTerm = (x: unknown): x is Term =>
  typeof x === "object" && x !== null && typeof (x as { type?: unknown }).type === "string" && "value" in x;
const isVar = (t: unknown, name?: string): boolean => isTerm(t) && t.type === "var" && (name === undefined || t.value === name);

/** `count` as written in a call: the operator term of a call or of an expression's term list. */
const operatorName = (t: unknown): string | undefined => {
  if (!isTerm(t) || t.type !== "ref" || !Array.isArray(t.value)) return undefined;
  const parts = t.value as unknown[];
  if (!isVar(parts[0])) return undefined;
  const rest = parts.slice(1);
  if (!rest.every((p) => isTerm(p) && p.type === "string")) return undefined;
  return [(parts[0] as Term).value, ...rest.map((p) => (p as Term).value)].join(".");
};

/** Analyses the modules of a policy, as `opa parse --format json` prints them. */
export function analyseDecisionInput(modules: readonly unknown[]): DecisionInput {
  const read = new Map<string, InputPath>();
  const countedOnly = new Map<string, InputPath>();
  const localRules = new Set<string>();
  let impure: string | undefined;

  for (const module of modules) {
    const rules = (module as { rules?: { head?: { name?: unknown; ref?: unknown[] } }[] }).rules ?? [];
    for (const rule of rules) {
      const name = rule.head?.name ?? (isTerm(rule.head?.ref?.[0]) ? rule.head.ref[0].value : undefined);
      if (typeof name === "string") localRules.add(name);
    }
  }

  const visitCall = (operator: unknown, args: readonly unknown[]): void => {
    const name = operatorName(operator);
    if (name !== undefined && !name.startsWith("data.") && !localRules.has(name) && !pureBuiltins.has(name)) impure ??= name;
    // The operator itself may be a reference into the input (an object pair looks like a call): a read too.
    visit(operator, false);
    if (name === "count" && args.length === 1) visit(args[0], true);
    else args.forEach((a) => visit(a, false));
  };

  const visit = (node: unknown, counted: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => visit(n, false));
      return;
    }
    if (typeof node !== "object" || node === null) return;
    if (isTerm(node) && node.type === "call" && Array.isArray(node.value)) {
      visitCall(node.value[0], node.value.slice(1));
      return;
    }
    if (isTerm(node) && node.type === "ref" && Array.isArray(node.value) && isVar(node.value[0], "input")) {
      const parts = node.value as unknown[];
      const path: string[] = [];
      for (const p of parts.slice(1)) {
        if (!isTerm(p) || p.type !== "string") break;
        path.push(p.value as string);
      }
      const key = JSON.stringify(path);
      if (counted && path.length === parts.length - 1) countedOnly.set(key, path);
      else read.set(key, path);
      // Keys that are themselves expressions (input.x[input.y]) are reads too.
      parts.slice(1 + path.length).forEach((p) => visit(p, false));
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      // An expression whose terms are a list is a call: [operator, ...arguments].
      if (key === "terms" && Array.isArray(value) && value.length > 0) visitCall(value[0], value.slice(1));
      else visit(value, false);
    }
  };

  // Whole modules: rules (heads and bodies), and imports (`import input.x as y` reads input.x).
  for (const module of modules) visit(module, false);
  if (impure !== undefined) return { memoise: false, version: decisionInputVersion, why: `the policy calls ${impure}` };
  // A path read whole anywhere is in `read`; only one that is never more than counted keeps just its length.
  const counted = [...countedOnly].filter(([key]) => !read.has(key)).map(([, path]) => path);
  return { memoise: true, version: decisionInputVersion, read: [...read.values()], counted };
}
