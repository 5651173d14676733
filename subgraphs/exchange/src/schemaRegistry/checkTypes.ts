/** The checks of a published version, as stored (jsonb) and answered (SchemaCheck in exchange.graphql). */
export type Criticality = "BREAKING" | "DANGEROUS" | "SAFE";

export interface OperationUse {
  readonly operation: string;
  readonly consumer: string;
  readonly count: number;
  readonly lastSeen: string;
}

export interface ChangeUse {
  readonly coordinate: string;
  readonly operations: readonly OperationUse[];
  readonly applications: readonly string[];
  /** null: the consent engine could not be asked (counted as in use: fail closed). */
  readonly activeConsents: number | null;
  readonly inUse: boolean;
}

export interface SchemaChange {
  readonly criticality: Criticality;
  readonly type: string;
  readonly path: string | null;
  readonly message: string;
  readonly use: ChangeUse | null;
}

export interface SchemaFinding {
  readonly severity: "WARNING" | "ERROR";
  readonly rule: "undeclared-data-class" | "subject-argument-kept" | "weaker-data-class" | "breaking-change-in-use" | "dangerous-change-in-use";
  readonly coordinate: string | null;
  readonly message: string;
  readonly overridable: boolean;
}

export interface SchemaChecks {
  readonly passed: boolean;
  readonly against: number | null;
  readonly compositionErrors: readonly string[];
  readonly compositionHints: readonly string[];
  readonly changes: readonly SchemaChange[];
  readonly findings: readonly SchemaFinding[];
}

/** A refused version can still be activated with an override when every error is overridable (breaking changes in use). */
export const overridable = (checks: SchemaChecks): boolean =>
  checks.compositionErrors.length === 0 && checks.findings.every((f) => f.severity !== "ERROR" || f.overridable);
