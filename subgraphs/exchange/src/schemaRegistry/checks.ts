/**
 * The checks of a published SDL, reported together: composition with the other active subgraphs (errors and hints
 * verbatim), the diff against the active version (`@graphql-inspector/core`, each change BREAKING, DANGEROUS or SAFE)
 * with the use of each breaking or dangerous change's coordinate, and our rules:
 * - a new field without `@classified` is PERSONAL (warning);
 * - a field's `@subject` arguments are kept (error: consent is checked for the citizen that argument names);
 * - a field is not moved to a weaker data class while ACTIVE consents cover it (error);
 * - a breaking change of a coordinate in use (operations seen, live grants, ACTIVE consents) is an error an exchange
 *   administrator may override with a reason; a dangerous one in use is a warning.
 */
import { CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import { buildASTSchema, type DocumentNode } from "graphql";
import type { Composition } from "./composition.ts";
import type { ChangeUse, Criticality, SchemaChange, SchemaChecks, SchemaFinding } from "./checkTypes.ts";
import { dataClassRank, sdlFacts, type FieldFacts } from "./sdlFacts.ts";

export interface CheckInput {
  /** The subgraph's active version; undefined for a subgraph's first. */
  readonly previous: { readonly number: number; readonly document: DocumentNode } | undefined;
  readonly document: DocumentNode;
  readonly composition: Composition;
  /** The use of a coordinate (`Type.field`, or `Type` for all its fields) of this subgraph. */
  readonly use: (coordinate: string) => Promise<ChangeUse>;
}

const criticalityOf = (change: Change): Criticality =>
  change.criticality.level === CriticalityLevel.Breaking ? "BREAKING" : change.criticality.level === CriticalityLevel.Dangerous ? "DANGEROUS" : "SAFE";

/** `Person.permanentAddress.arg` → `Person.permanentAddress`; a type-level path stays the type. */
const coordinateOf = (path: string): string => path.split(".").slice(0, 2).join(".");

const schemaOf = (document: DocumentNode) => buildASTSchema(document, { assumeValidSDL: true });

function describeUse(use: ChangeUse): string {
  const parts = [
    ...(use.operations.length === 0 ? [] : [`operations ${use.operations.map((o) => `${o.operation} (${o.consumer}, ${o.count}×)`).join(", ")}`]),
    ...(use.applications.length === 0 ? [] : [`the grants of ${use.applications.join(", ")}`]),
    use.activeConsents === null ? "ACTIVE consents (the consent engine could not be asked)" : use.activeConsents > 0 ? `${use.activeConsents} ACTIVE consents` : undefined,
  ].filter((p) => p !== undefined);
  return parts.join("; ");
}

export async function runChecks(input: CheckInput): Promise<SchemaChecks> {
  const { composition, previous, document } = input;
  const changes: SchemaChange[] = [];
  const findings: SchemaFinding[] = [];
  const uses = new Map<string, Promise<ChangeUse>>();
  const useOf = (coordinate: string) => {
    let found = uses.get(coordinate);
    if (found === undefined) uses.set(coordinate, (found = input.use(coordinate)));
    return found;
  };
  const after = sdlFacts(document);
  const before = previous === undefined ? new Map<string, FieldFacts>() : sdlFacts(previous.document);
  if (previous !== undefined) {
    for (const change of await diff(schemaOf(previous.document), schemaOf(document))) {
      const criticality = criticalityOf(change);
      const path = change.path ?? null;
      const use = criticality === "SAFE" || path === null ? null : await useOf(coordinateOf(path));
      changes.push({ criticality, type: String(change.type), path, message: change.message, use });
      if (use?.inUse === true) {
        const breaking = criticality === "BREAKING";
        findings.push({
          severity: breaking ? "ERROR" : "WARNING",
          rule: breaking ? "breaking-change-in-use" : "dangerous-change-in-use",
          coordinate: use.coordinate,
          message: `${change.message}: ${use.coordinate} is in use by ${describeUse(use)}`,
          overridable: true,
        });
      }
    }
  }
  for (const [coordinate, facts] of after) {
    const old = before.get(coordinate);
    if (old === undefined && facts.dataClass === undefined) {
      findings.push({ severity: "WARNING", rule: "undeclared-data-class", coordinate, message: `${coordinate} declares no @classified: it is PERSONAL`, overridable: true });
    }
    if (old !== undefined && dataClassRank(facts.dataClass) < dataClassRank(old.dataClass)) {
      const use = await useOf(coordinate);
      if (use.activeConsents !== 0) {
        const covered = use.activeConsents === null ? "consents may cover it (the consent engine could not be asked)" : `${use.activeConsents} ACTIVE consents cover it`;
        findings.push({
          severity: "ERROR",
          rule: "weaker-data-class",
          coordinate,
          message: `${coordinate} moves from ${old.dataClass ?? "PERSONAL"} to ${facts.dataClass ?? "PERSONAL"} while ${covered}`,
          overridable: false,
        });
      }
    }
  }
  for (const [coordinate, old] of before) {
    for (const argument of old.subjectArguments) {
      if (after.get(coordinate)?.subjectArguments.includes(argument) !== true) {
        findings.push({
          severity: "ERROR",
          rule: "subject-argument-kept",
          coordinate,
          message: `${coordinate}(${argument}:) must keep @subject: consent is checked for the citizen it names`,
          overridable: false,
        });
      }
    }
  }
  const compositionErrors = composition.ok ? [] : composition.errors;
  return {
    passed: compositionErrors.length === 0 && findings.every((f) => f.severity !== "ERROR"),
    against: previous?.number ?? null,
    compositionErrors,
    compositionHints: composition.hints,
    changes,
    findings,
  };
}
