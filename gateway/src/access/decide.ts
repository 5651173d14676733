/**
 * The access decision as a plain function: an operation and its HTTP request in, the decision and the audit record
 * that must be written for it out. No yoga, no writing: the plugin (useAccess.ts) writes the record and stops or runs
 * the operation. In order: authentication; admission (rate limit, trusted documents: turned away without a record);
 * scope, purpose and subjects (a bad request); the policy and the citizens' consent; and a trail that can take the
 * record. Every check runs before anything is read.
 */
import { Kind, type DocumentNode, type GraphQLError, type OperationDefinitionNode } from "graphql";
import { badUserInput, isNdxError } from "@ndx/platform";
import type { AccessInput, AccessPolicy } from "@ndx/policy";
import type { AuditContent, AuditDecision } from "../audit/auditEvent.ts";
import { forbidden, notRecorded, registerUnreachable, undecided } from "./accessErrors.ts";
import { accessTime } from "./accessTime.ts";
import { allKnown, createConsentAnswers, type CitizenConsent } from "./consentAnswers.ts";
import type { ConsentCheck } from "./consentCheck.ts";
import { dataLifeNotice, proposedTerms, type DataLifeNotice } from "./consentTerms.ts";
import type { Authenticator, Caller } from "./consumerAuth.ts";
import { personal } from "./dataClass.ts";
import type { FieldCatalogue } from "./fieldCatalogue.ts";
import { declaredPurpose } from "./purpose.ts";
import { createScopes, type Scope } from "./scope.ts";

export interface DecideOptions {
  readonly authenticator: Authenticator;
  readonly catalogue: FieldCatalogue;
  /** The policy in force (with the exchange's register as its data): asked once or twice per request. */
  readonly policy: { readonly current: AccessPolicy };
  /**
   * Whether the exchange's register the policy holds is known to be current (registerFollower.ts): consumers are
   * refused while it is not. @default always current (a fixed register)
   */
  readonly register?: { current(): boolean };
  readonly consent: ConsentCheck;
  /** Whether the audit trail can take the record now (the audit log's health): no personal data otherwise. */
  readonly evidence: {
    readonly healthy: boolean;
    /** Why not (the message for the client, the reason for the record), when the trail is not time-stamped (evidence/). */
    refusal?(): { readonly message: string; readonly reason: string };
  };
  /** Time zone of access windows. @default "UTC" */
  readonly timezone?: string;
  /** Let GraphiQL load the schema without a token (development). @default false */
  readonly anonymousIntrospection?: boolean;
  /** Header that declares the purpose of a request. @default "x-purpose" */
  readonly purposeHeader?: string;
  /**
   * Asked right after authentication, before scope, consent, policy and audit: an error returned here (a rate
   * limit, a consumer held to trusted documents) turns the request away at once, without a record: nothing was read,
   * and a flood must not fill the trail. @default none: everyone authenticated is admitted
   */
  readonly admit?: (caller: Caller, request: Request) => GraphQLError | undefined;
}

export interface AccessRequest {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variables: Readonly<Record<string, unknown>> | null | undefined;
  readonly traceId: string;
  /** Its Authorization and purpose headers, and what the admit hook looks at. */
  readonly request: Request;
  /** The catalogue of the supergraph this request was validated against (supergraphSnapshots.ts). @default options.catalogue */
  readonly catalogue?: FieldCatalogue | undefined;
}

/** The audit record of a decision (its id and time are given when it is written). */
export type DecisionRecord = Omit<AuditContent, "id" | "at"> & { readonly decision: AuditDecision };

export type AccessDecision =
  /** Introspection only: nothing about anyone is read, nothing to decide or record. */
  | { readonly kind: "pass" }
  | { readonly kind: "turned_away"; readonly caller: Caller; readonly error: GraphQLError }
  | { readonly kind: "refused"; readonly errors: readonly GraphQLError[]; readonly record: DecisionRecord }
  | {
      readonly kind: "permitted";
      readonly caller: Caller;
      readonly record: DecisionRecord;
      /** How long the consumer may keep what it reads (the response's `extensions.consent`), when consent was needed. */
      readonly consent?: DataLifeNotice;
    };

/**
 * A refusal because a part NDX depends on did not answer (the consent engine, the identity provider) is recorded as
 * `unavailable`, never as a refusal by the rules: the citizen's history must not say "refused" for an outage.
 */
const outage = (error: GraphQLError): AuditDecision => {
  const code = error.extensions["code"];
  return code === "FORBIDDEN" || code === "BAD_USER_INPUT" ? "forbidden" : "unavailable";
};

const nobody = { caller: null, consumer: null, purpose: null, subjects: [], fields: [], consentIds: [], reasons: [] } as const;

export function createDecide(options: DecideOptions): (request: AccessRequest) => Promise<AccessDecision> {
  const { authenticator, policy } = options;
  // One scope planner per supergraph served: a request is decided with the catalogue of the schema it was validated against.
  const scopesByCatalogue = new WeakMap<FieldCatalogue, ReturnType<typeof createScopes>>();
  const scopesOf = (catalogue: FieldCatalogue) => {
    let found = scopesByCatalogue.get(catalogue);
    if (found === undefined) scopesByCatalogue.set(catalogue, (found = createScopes(catalogue)));
    return found;
  };
  const answers = createConsentAnswers(options.consent);
  const clock = accessTime(options.timezone ?? "UTC");
  const purposeHeader = options.purposeHeader ?? "x-purpose";

  /** After authentication and admission: scope, purpose, consent, policy and evidence. */
  const decideFor = async (caller: Caller, req: AccessRequest, base: BaseRecord): Promise<AccessDecision> => {
    const active = policy.current;
    const scope: Scope = scopesOf(req.catalogue ?? options.catalogue).of(req.document, req.operation, req.variables);
    const declared = declaredPurpose(req.request.headers.get(purposeHeader), active.purposes);
    const purpose = declared.kind === "registered" ? declared.code : null;
    const subjects = [...scope.subjects.keys()];
    const who = { ...base, caller: caller.kind, consumer: caller.id, purpose, subjects, fields: scope.fields, policyRevision: active.revision };
    const refused = (errors: readonly GraphQLError[], decision: AuditDecision, reasons: readonly string[], consentIds: readonly string[] = []) =>
      ({ kind: "refused", errors, record: { ...who, consentIds, reasons: [...reasons], decision } }) as const;
    const badRequest = (message: string) => refused([badUserInput(message)], "bad_request", [message]);
    const refuse = (reasons: readonly string[], consentIds: readonly string[] = []) =>
      refused([forbidden(reasons.length > 0 ? reasons : ["not allowed"])], "forbidden", reasons, consentIds);

    // Fail closed: what a consumer may read is the register's, and it may have changed unheard (a grant revoked, the
    // application suspended). Staff are decided by their roles and static rules alone, and must reach the exchange
    // to repair it.
    if (caller.kind === "consumer" && options.register?.current() === false) {
      const refusal = registerUnreachable();
      return refused([refusal], "unavailable", ["the exchange's register cannot be reached"]);
    }
    if (declared.kind === "invalid") return badRequest(`The ${purposeHeader} header must be a registered purpose code, such as passport-application`);
    if (scope.invalidSubjects.length > 0) {
      return badRequest(`Not a citizen identifier: ${scope.invalidSubjects.map((s) => JSON.stringify(s.slice(0, 40))).join(", ")}`);
    }
    if (caller.kind === "consumer" && scope.operation === "query" && purpose === null && scope.fields.some(personal)) {
      return badRequest(`The ${purposeHeader} header must declare the purpose of this request`);
    }

    const policyInput = (consent: NonNullable<AccessInput["consent"]>): AccessInput => ({
      caller: caller.kind,
      operation: scope.operation,
      consumer: { id: caller.id, scopes: caller.scopes },
      roles: caller.roles,
      purpose: purpose ?? undefined,
      subjects,
      fields: scope.fields,
      mutations: scope.operation === "mutation" ? scope.rootFields : [],
      consent,
      time: clock(new Date()),
    });

    // Consent: per citizen, for the personal fields read about them; only consumer reads with a purpose need it.
    // When every answer is cached the one evaluation below decides alone (the policy's deny rules do not read the
    // consent); otherwise the policy answers first, so no consent is asked for what it denies.
    let checks: CitizenConsent[] = [];
    if (caller.kind === "consumer" && scope.operation === "query" && purpose !== null) {
      const questions = answers.fromCache(caller.id, purpose, scope.subjects);
      const known = allKnown(questions);
      if (known !== undefined) checks = known;
      else {
        const early = active.evaluate(policyInput({ covered: false }));
        if (early.reasons.length > 0) return refuse(early.reasons);
        try {
          checks = await answers.complete(caller.id, purpose, questions);
        } catch (error) {
          const refusal = isNdxError(error) ? error : undecided();
          return refused([refusal], outage(refusal), [refusal.message]);
        }
      }
    }
    const covered = checks.every((c) => c.answer.covered);
    const consentIds = [...new Set(checks.flatMap((c) => c.answer.consentIds))].sort();
    const verdict = active.evaluate(policyInput({ covered, consentIds }));

    if (verdict.reasons.length > 0 || (!verdict.allow && !verdict.consentRequired)) return refuse(verdict.reasons, consentIds);
    if (verdict.consentRequired) {
      const terms = proposedTerms(req.request.headers);
      if (!terms.ok) return badRequest(`The X-Consent-Terms header is not valid consent terms: ${terms.problem}`);
      try {
        const errors = await answers.openRequests(caller.id, purpose ?? "", checks, terms.terms);
        // Consent that exists but is paused or used up is a refusal, not a request for consent.
        const asked = errors.some((e) => e.extensions["code"] === "CONSENT_REQUIRED");
        const held = errors.map((e) => String(e.extensions["code"]).toLowerCase().replace("_", " "));
        return refused(errors, asked ? "consent_required" : "forbidden", asked ? verdict.reasons : [...new Set(held)], consentIds);
      } catch (error) {
        const refusal = isNdxError(error) ? error : undecided();
        return refused([refusal], outage(refusal), verdict.reasons, consentIds);
      }
    }
    // Every access is on the record, or it does not happen: with the trail failing, no personal data.
    if (!options.evidence.healthy && scope.fields.some(personal)) {
      const why = options.evidence.refusal?.();
      return refused([notRecorded(why?.message)], "unavailable", [why?.reason ?? "the audit trail cannot be written"], consentIds);
    }
    const notice = dataLifeNotice(checks.filter((c) => c.wanted.length > 0).map((c) => c.answer), new Date());
    return { kind: "permitted", caller, record: { ...who, consentIds, reasons: [...verdict.reasons], decision: "permit" }, ...(notice === undefined ? {} : { consent: notice }) };
  };

  return async (req) => {
    const base: BaseRecord = {
      kind: "decision",
      traceId: req.traceId,
      operationName: req.operation.name?.value ?? null,
      decisionId: null,
      outcome: null,
    };
    const introspectionOnly = req.operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith("__"));
    if (introspectionOnly && options.anonymousIntrospection === true) return { kind: "pass" };

    let caller: Caller;
    try {
      caller = await authenticator.authenticate(req.request.headers.get("authorization"));
    } catch (error) {
      const refusal = isNdxError(error) ? error : undecided();
      const decision: AuditDecision = refusal.extensions["code"] === "UNAUTHENTICATED" ? "unauthenticated" : outage(refusal);
      const record = { ...base, ...nobody, policyRevision: policy.current.revision, decision, reasons: [refusal.message] };
      return { kind: "refused", errors: [refusal], record };
    }
    const turnedAway = options.admit?.(caller, req.request);
    if (turnedAway !== undefined) return { kind: "turned_away", caller, error: turnedAway };
    if (introspectionOnly) return { kind: "pass" };
    return decideFor(caller, req, base);
  };
}

type BaseRecord = Pick<AuditContent, "kind" | "traceId" | "operationName" | "decisionId" | "outcome">;
