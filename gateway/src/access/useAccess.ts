/**
 * The access plugin: before any subgraph is called, it authenticates the caller, computes the operation's scope,
 * checks the citizen's consent and the OPA policy, and writes one audit event for the decision, whatever it is.
 * A refusal stops execution (`setResultAndStopExecution`), so no fetch is ever planned for it. After execution the
 * outcome is recorded too: the outcomes waiting at each write go as one outcome event that lists them.
 */
import { randomUUID } from "node:crypto";
import { getOperationAST, GraphQLError, Kind, type DocumentNode, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { activeTraceId, badUserInput, isNdxError, type ForwardedCaller, type Logger } from "@ndx/platform";
import { rememberFrozen, type AccessInput, type FieldAccess, type PolicyHolder } from "@ndx/policy";
import type { AuditContent, AuditDecision } from "../audit/auditEvent.ts";
import type { AuditLog } from "../audit/auditLog.ts";
import { consentRequired, forbidden, notRecorded, undecided } from "./accessErrors.ts";
import { accessTime } from "./accessTime.ts";
import type { ConsentAnswer, ConsentCheck } from "./consentCheck.ts";
import type { Authenticator, Caller } from "./consumerAuth.ts";
import type { FieldCatalogue } from "./fieldCatalogue.ts";
import { createScopes, type Scope } from "./scope.ts";

export interface AccessOptions {
  readonly authenticator: Authenticator;
  readonly catalogue: FieldCatalogue;
  readonly policy: PolicyHolder;
  readonly consent: ConsentCheck;
  readonly audit: AuditLog;
  readonly logger: Logger;
  /** Time zone of access windows. @default "UTC" */
  readonly timezone?: string;
  /** Let GraphiQL load the schema without a token (development). @default false */
  readonly anonymousIntrospection?: boolean;
  /** Header that declares the purpose of a request. @default "x-purpose" */
  readonly purposeHeader?: string;
  /** Told of every decision (metrics). */
  readonly onDecision?: (decision: AuditDecision) => void;
  /**
   * Asked right after authentication, before scope, consent, policy and audit: an error returned here (a rate
   * limit, a consumer held to trusted documents) refuses the request at once. Such refusals are logged, not
   * audited: nothing was read, and a flood must not fill the trail. @default none: everyone authenticated is admitted
   */
  readonly admit?: (caller: Caller, request: Request) => GraphQLError | undefined;
}

interface Check {
  readonly nic: string;
  readonly wanted: readonly FieldAccess[];
  readonly answer: ConsentAnswer;
}

const personal = (f: FieldAccess) => f.classification === "PERSONAL" || f.classification === "SENSITIVE";

/** What a purpose code looks like: short, lower-case, no spaces (the policy data's keys). */
const isPurposeCode = (value: string) => /^[a-z0-9][a-z0-9._-]{0,63}$/.test(value);

/**
 * A refusal because a part NDX depends on did not answer (the consent engine, the identity provider) is recorded as
 * `unavailable`, never as a refusal by the rules: the citizen's history must not say "refused" for an outage.
 */
const outage = (error: GraphQLError): AuditDecision => {
  const code = error.extensions["code"];
  return code === "FORBIDDEN" || code === "BAD_USER_INPUT" ? "forbidden" : "unavailable";
};

function traceIdOf(request: Request): string {
  // Tracing on: the request's SERVER span holds the trace (the caller's, when it sent a traceparent).
  const traced = activeTraceId();
  if (traced !== undefined) return traced;
  const traceparent = request.headers.get("traceparent");
  const match = traceparent === null ? null : /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent);
  return match?.[1] ?? randomUUID().replaceAll("-", "");
}

/** The code an error carries, for the audit record's reasons. */
function codeOf(error: GraphQLError): string {
  const code = error.extensions["code"];
  return typeof code === "string" ? code : "ERROR";
}

export function useAccess(options: AccessOptions): Plugin<{ request: Request }> {
  const { authenticator, catalogue, policy, consent, audit, logger } = options;
  const purposeHeader = options.purposeHeader ?? "x-purpose";
  const clock = accessTime(options.timezone ?? "UTC");
  const scopes = createScopes(catalogue);
  // A scope's field lists are frozen and shared by the requests of one shape: their personal part is worked out once.
  const personalFields = rememberFrozen((fields: readonly FieldAccess[]) => Object.freeze(fields.filter(personal)));
  const nothingWanted: ConsentAnswer = { covered: true, consentIds: [], missing: [] };
  const answerFromCache = (consumer: string, nic: string, purpose: string, wanted: readonly FieldAccess[]) =>
    wanted.length === 0 ? nothingWanted : consent.cached(consumer, nic, purpose, wanted);

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const request = args.contextValue.request;
      // envelop types the execution arguments as any (to work with every graphql version): these are graphql 16's.
      const document = args.document as DocumentNode;
      const variables = args.variableValues as Readonly<Record<string, unknown>> | null | undefined;
      const operation = getOperationAST(document, (args.operationName as string | null | undefined) ?? undefined);
      if (operation === null || operation === undefined) return;
      const traceId = traceIdOf(request);
      const base = {
        kind: "decision" as const,
        traceId,
        operationName: operation.name?.value ?? null,
        decisionId: null,
        outcome: null,
      };
      const record = async (content: Omit<AuditContent, "id" | "at">) => audit.append(content);
      // One log line per decision: who, what operation, the outcome; never personal data values or tokens.
      const logDecision = (decision: AuditDecision, consumer: string | null) =>
        logger.info({ traceId, consumer, operation: base.operationName, decision }, "access decision");
      const stop = async (errors: GraphQLError[], content: Omit<AuditContent, "id" | "at">) => {
        if (content.decision !== null) {
          options.onDecision?.(content.decision);
          logDecision(content.decision, content.consumer);
        }
        try {
          await record(content);
        } catch (error) {
          logger.error({ err: error }, "audit write failed");
        }
        setResultAndStopExecution({ errors });
      };
      const empty = {
        caller: null,
        consumer: null,
        purpose: null,
        subjects: [],
        fields: [],
        consentIds: [],
        policyRevision: policy.current.revision,
        reasons: [],
      };

      const introspectionOnly = operation.selectionSet.selections.every(
        (s) => s.kind === Kind.FIELD && s.name.value.startsWith("__"),
      );
      if (introspectionOnly && options.anonymousIntrospection === true) return;

      let caller: Caller;
      try {
        caller = await authenticator.authenticate(request.headers.get("authorization"));
      } catch (error) {
        const refusal = error instanceof GraphQLError ? error : undecided();
        const decision: AuditDecision = refusal.extensions["code"] === "UNAUTHENTICATED" ? "unauthenticated" : outage(refusal);
        return stop([refusal], { ...base, ...empty, decision, reasons: [refusal.message] });
      }
      const turnedAway = options.admit?.(caller, request);
      if (turnedAway !== undefined) {
        // Debug only: a flood must not flood the logs either; ndx_requests_turned_away_total counts them.
        logger.debug({ traceId, consumer: caller.id, operation: base.operationName, code: turnedAway.extensions["code"] }, "request turned away");
        setResultAndStopExecution({ errors: [turnedAway] });
        return;
      }
      if (introspectionOnly) return;

      const scope: Scope = scopes.of(document, operation, variables);
      const active = policy.current;
      const declared = request.headers.get(purposeHeader)?.trim() || null;
      // A purpose is a registered code; whatever else the header holds is never stored or shown to anyone.
      const purpose = declared !== null && isPurposeCode(declared) && active.purposes.has(declared) ? declared : null;
      const subjects = [...scope.subjects.keys()];
      const who = { caller: caller.kind, consumer: caller.id, purpose, subjects, fields: scope.fields };
      const badRequest = (message: string) =>
        stop([badUserInput(message)], { ...base, ...empty, ...who, decision: "bad_request", reasons: [message] });

      if (declared !== null && purpose === null) {
        return badRequest(`The ${purposeHeader} header must be a registered purpose code, such as passport-application`);
      }
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
      const refuse = (reasons: readonly string[], consentIds: readonly string[] = []) =>
        stop([forbidden(reasons.length > 0 ? reasons : ["not allowed"])], {
          ...base,
          ...who,
          consentIds,
          policyRevision: active.revision,
          reasons: [...reasons],
          decision: "forbidden",
        });

      // Consent: per citizen, for the personal fields read about them. Only consumer reads need it, and only when
      // nothing else forbids the request: the policy answers first, so no consent is asked for what it denies.
      // When every answer is already cached nobody would be asked, and the one evaluation below decides alone
      // (the policy's deny rules do not read the consent).
      const needsConsent = caller.kind === "consumer" && scope.operation === "query" && purpose !== null;
      let checks: Check[] = [];
      try {
        if (needsConsent) {
          const known = [...scope.subjects].map(([nic, fields]) => {
            const wanted = personalFields(fields);
            return { nic, wanted, answer: answerFromCache(caller.id, nic, purpose, wanted) };
          });
          const hits = known.flatMap(({ nic, wanted, answer }): Check[] => (answer === undefined ? [] : [{ nic, wanted, answer }]));
          if (hits.length === known.length) checks = hits;
          else {
            const early = active.evaluate(policyInput({ covered: false }));
            if (early.reasons.length > 0) return await refuse(early.reasons);
            checks = await Promise.all(
              known.map(async ({ nic, wanted, answer }): Promise<Check> => ({
                nic,
                wanted,
                answer: answer ?? (await consent.check(caller.id, nic, purpose, wanted)),
              })),
            );
          }
        }
      } catch (error) {
        const refusal = isNdxError(error) ? error : undecided();
        return stop([refusal], { ...base, ...empty, ...who, decision: outage(refusal), reasons: [refusal.message] });
      }
      const covered = checks.every((c) => c.answer.covered);
      const consentIds = [...new Set(checks.flatMap((c) => c.answer.consentIds))].sort();

      const verdict = active.evaluate(policyInput({ covered, consentIds }));
      const decided = { ...base, ...who, consentIds, policyRevision: active.revision, reasons: [...verdict.reasons] };

      if (verdict.reasons.length > 0 || (!verdict.allow && !verdict.consentRequired)) return refuse(verdict.reasons, consentIds);
      if (verdict.consentRequired) {
        let errors: GraphQLError[];
        let decision: AuditDecision = "consent_required";
        try {
          errors = await Promise.all(
            checks
              .filter((c) => !c.answer.covered)
              .map(async (c) => {
                const missing = c.wanted.filter((f) => c.answer.missing.some((m) => m.provider === f.provider && m.field === f.field));
                return consentRequired(c.nic, await consent.openRequest(caller.id, c.nic, purpose ?? "", missing));
              }),
          );
        } catch (error) {
          errors = [isNdxError(error) ? error : undecided()];
          decision = outage(errors[0] as GraphQLError);
        }
        return stop(errors, { ...decided, decision });
      }

      // Outcomes that cannot reach the trail (the database failing for longer than the grace) stop personal data:
      // every access is on the record, or it does not happen.
      if (!audit.healthy && scope.fields.some(personal)) {
        logger.error({ traceId, audit: audit.health() }, "audit trail failing; refusing personal data");
        return stop([notRecorded()], { ...decided, decision: "unavailable", reasons: ["the audit trail cannot be written"] });
      }
      options.onDecision?.("permit");
      logDecision("permit", caller.id);
      // Permitted: the decision must be on the record before anything is read.
      let decisionId: string;
      try {
        decisionId = (await record({ ...decided, decision: "permit" })).id;
      } catch (error) {
        logger.error({ err: error }, "audit write failed; refusing the request");
        setResultAndStopExecution({ errors: [notRecorded()] });
        return;
      }
      // The subgraphs learn who is asking, and under which recorded decision, from the gateway's signed assertion
      // alone (see callerAssertion in @ndx/platform).
      const forwarded: ForwardedCaller = { kind: caller.kind, id: caller.id, roles: caller.roles, traceId, decisionId };
      (args.contextValue as { ndxCaller?: ForwardedCaller }).ndxCaller = forwarded;
      return {
        onExecuteDone({ result }) {
          const errors = "errors" in result ? ((result as ExecutionResult).errors ?? []) : [];
          const data = "data" in result ? (result as ExecutionResult).data : undefined;
          const outcome = errors.length === 0 ? "ok" : data === null || data === undefined ? "error" : "partial";
          // The outcome completes the record (with the other outcomes of its write, in one event); the response does
          // not wait for it.
          audit
            .complete({ decisionId, traceId, outcome, reasons: errors.map(codeOf) })
            .catch((error: unknown) => logger.error({ err: error }, "audit outcome write failed"));
        },
      };
    },
  };
}
