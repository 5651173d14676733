/**
 * The access plugin: a thin shell around the access decision (decide.ts). Before execution it asks for the decision,
 * logs and counts it, writes its audit record, and either stops the operation (`setResultAndStopExecution`, so no
 * fetch is ever planned for a refusal) or lets it run with the caller in the context, for the subgraph client's
 * signed caller assertion. After execution the outcome is recorded too: the outcomes waiting at each write go as one
 * outcome event that lists them.
 */
import { randomUUID } from "node:crypto";
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import { activeTraceId, type Logger } from "@ndx/platform";
import type { AuditChange, AuditDecision } from "../audit/auditEvent.ts";
import type { AuditLog } from "../audit/auditLog.ts";
import { notRecorded } from "./accessErrors.ts";
import type { AccessContext } from "./accessContext.ts";
import { operationalOf } from "../operations/operationalRecord.ts";
import { createDecide, type AccessRequest, type DecideOptions, type DecisionRecord } from "./decide.ts";
import type { FieldCatalogue } from "./fieldCatalogue.ts";

export interface AccessOptions extends Omit<DecideOptions, "evidence"> {
  readonly audit: AuditLog;
  /** Whether personal data may be served: the audit log's health and fresh time-stamps (evidence/). @default the audit log's health */
  readonly evidence?: DecideOptions["evidence"] | undefined;
  readonly logger: Logger;
  /** Told of every decision (metrics). */
  readonly onDecision?: (decision: AuditDecision) => void;
  /** The field catalogue of the schema a request was validated against (the supergraph can be swapped live). @default `catalogue` */
  readonly catalogueOf?: ((schema: GraphQLSchema) => FieldCatalogue | undefined) | undefined;
  /**
   * Told of every request decided (permitted or refused: either way the client sent an operation the schema must keep
   * answering), with its scope: the schema registry's usage counts.
   */
  readonly onDecided?: ((document: DocumentNode, record: DecisionRecord) => void) | undefined;
}

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

export function useAccess(options: AccessOptions): Plugin<{ request: Request } & AccessContext> {
  const { audit, logger } = options;
  const decide = createDecide({ ...options, evidence: options.evidence ?? audit });
  // One log line and one count per decision: who, what operation, the outcome; never personal data values or tokens.
  const told = (record: DecisionRecord) => {
    options.onDecision?.(record.decision);
    logger.info({ traceId: record.traceId, consumer: record.consumer, operation: record.operationName, decision: record.decision }, "access decision");
  };

  return {
    async onExecute({ args, setResultAndStopExecution, extendContext }) {
      const request = args.contextValue.request;
      // envelop types the execution arguments as any (to work with every graphql version): these are graphql 16's.
      const document = args.document as DocumentNode;
      const operation = getOperationAST(document, (args.operationName as string | null | undefined) ?? undefined);
      if (operation === null || operation === undefined) return;
      const traceId = traceIdOf(request);
      const variables = args.variableValues as AccessRequest["variables"];
      const catalogue = options.catalogueOf?.(args.schema as GraphQLSchema);
      const decision = await decide({ document, operation, variables, traceId, request, catalogue });

      if (decision.kind === "pass") return;
      if (decision.kind === "turned_away") {
        // Debug only: a flood must not flood the logs either; ndx_requests_turned_away_total counts them.
        const code = decision.error.extensions["code"];
        logger.debug({ traceId, consumer: decision.caller.id, operation: operation.name?.value ?? null, code }, "request turned away");
        setResultAndStopExecution({ errors: [decision.error] });
        return;
      }
      told(decision.record);
      options.onDecided?.(document, decision.record);
      operationalOf(args.contextValue)?.decided(decision.record);
      if (decision.kind === "refused") {
        const written = audit.append(decision.record).then(
          () => undefined,
          (error: unknown) => logger.error({ err: error }, "audit write failed"),
        );
        // A refusal reads nothing: while the trail is failing (a write may hang until the database's timeout) it is
        // answered at once, its record queued; otherwise it waits for the record, which holds back a flood.
        if (audit.healthy) await written;
        setResultAndStopExecution({ errors: [...decision.errors] });
        return;
      }

      // Permitted: the decision must be on the record before anything is read.
      let decisionId: string;
      try {
        decisionId = (await audit.append(decision.record)).id;
      } catch (error) {
        logger.error({ err: error }, "audit write failed; refusing the request");
        setResultAndStopExecution({ errors: [notRecorded()] });
        return;
      }
      // The subgraphs learn who is asking, and under which recorded decision, from the gateway's signed assertion
      // alone (see callerAssertion in @ndx/platform).
      const { caller } = decision;
      // Administrative changes the subgraphs report (subgraphSource.ts) complete this request's record.
      const changes: AuditChange[] = [];
      extendContext({ ndxCaller: { kind: caller.kind, id: caller.id, roles: caller.roles, traceId, decisionId }, ndxChanges: changes });
      return {
        onExecuteDone({ result, setResult }) {
          // How long the consumer may keep what it read (issue 18): the data life of the consents relied on.
          if (decision.consent !== undefined && !(Symbol.asyncIterator in result)) {
            setResult({ ...result, extensions: { ...result.extensions, consent: decision.consent } });
          }
          const errors = "errors" in result ? ((result as ExecutionResult).errors ?? []) : [];
          const data = "data" in result ? (result as ExecutionResult).data : undefined;
          const outcome = errors.length === 0 ? "ok" : data === null || data === undefined ? "error" : "partial";
          // The outcome completes the record (with the other outcomes of its write, in one event); the response does
          // not wait for it.
          audit
            .complete({ decisionId, traceId, outcome, reasons: errors.map(codeOf), ...(changes.length > 0 ? { changes } : {}) })
            .catch((error: unknown) => logger.error({ err: error }, "audit outcome write failed"));
        },
      };
    },
  };
}
