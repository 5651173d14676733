/**
 * The two-stage review of field grants: a member administrator requests fields for an application and purpose; each
 * provider's data owner reviews its part; an exchange administrator decides, and approval makes the grants live.
 * Maker-checker: nobody reviews or decides their own request. Each step locks the request's row for its transaction.
 */
import { randomUUID } from "node:crypto";
import type { Queryable } from "@ndx/platform";
import type { Applications } from "../applications/applications.ts";
import { applicationStore } from "../applications/applicationStore.ts";
import { seesRequest } from "../applications/visibility.ts";
import type { FieldCatalogue } from "../catalogue/fieldCatalogue.ts";
import { badInput, conflict, forbidden, notFound } from "../errors.ts";
import { recordChange, type AuditEntry, type ChangeDeps } from "../history/changes.ts";
import { limits, optionalText, text } from "../inputChecks.ts";
import { memberStore } from "../members/memberStore.ts";
import { requireExchangeAdmin, requireMemberAdmin, type Scope } from "../members/scope.ts";
import { fieldGrantStore } from "./fieldGrantStore.ts";
import { checkEndsAt, checkFields, type FieldRef } from "./grantRequestInput.ts";
import { grantRequestSnapshot, grantRequestStore, type GrantRequest } from "./grantRequestStore.ts";

export interface RequestFieldGrantInput {
  readonly application: string;
  readonly purpose: string;
  readonly fields: readonly FieldRef[];
  readonly justification: string;
  readonly endsAt: string;
}

type Request = { readonly scope: Scope; readonly audit: AuditEntry[] };

const underReview = new Set(["PROVIDER_REVIEW", "EXCHANGE_REVIEW"]);

export function createGrantRequests(deps: ChangeDeps & { readonly catalogue: FieldCatalogue; readonly applications: Applications }) {
  const { db, catalogue, applications } = deps;

  /** The request, locked, if the caller may see it; NOT_FOUND otherwise. */
  async function lockVisible(tx: Queryable, scope: Scope, id: string): Promise<GrantRequest> {
    const request = await grantRequestStore.lock(tx, id);
    const providers = request === undefined ? [] : (await grantRequestStore.partsOf(tx, [id])).map((p) => p.provider);
    if (request === undefined || !seesRequest(scope, request.member, providers)) throw notFound(`There is no grant request ${id}`, { grantRequest: id });
    return request;
  }

  /** Runs one step on request `id`, with its state before and after for the audit trail. */
  const step = (request: Request, action: string, id: string, change: (tx: Queryable, current: GrantRequest) => Promise<void>) =>
    recordChange(deps, request, action, async (tx) => {
      const current = await lockVisible(tx, request.scope, id);
      const before = await grantRequestSnapshot(tx, id);
      await change(tx, current);
      const after = await grantRequestSnapshot(tx, id);
      if (after === null) throw new Error("the grant request just written is not there");
      return { result: after, target: `grantRequest:${id}`, before, after };
    });

  return {
    async request(request: Request, input: RequestFieldGrantInput): Promise<GrantRequest> {
      const { scope } = request;
      const app = await applications.visible(scope, input.application);
      requireMemberAdmin(scope, app.member, "request fields for an application");
      const purpose = (await applicationStore.purposesOf(db, [app.id])).find((p) => p.code === input.purpose);
      if (purpose === undefined) throw badInput(`${input.purpose} is not a purpose of ${app.id}`, { field: "purpose" });
      const parts = checkFields(catalogue, input.fields);
      const operated = await memberStore.operators(db, [...parts.keys()]);
      const unreviewed = [...parts.keys()].filter((p) => !operated.has(p));
      if (unreviewed.length > 0) {
        throw badInput(`No member operates ${unreviewed.join(", ")}: nobody could review those fields yet`, { unoperatedProviders: unreviewed });
      }
      const justification = text(input.justification, "justification", limits.justification);
      const endsAt = checkEndsAt(input.endsAt, purpose.maxGrantDays, Date.now());
      const id = randomUUID();
      return recordChange(deps, request, "requestFieldGrant", async (tx) => {
        await grantRequestStore.insert(tx, { id, application: app.id, purpose: purpose.code, justification, endsAt, requestedBy: scope.id }, parts);
        const after = await grantRequestSnapshot(tx, id);
        if (after === null) throw new Error("the grant request just written is not there");
        return { result: after, target: `grantRequest:${id}`, before: null, after };
      });
    },

    review(request: Request, id: string, provider: string, approve: boolean, commentInput: string | null): Promise<GrantRequest> {
      const { scope } = request;
      const comment = approve ? optionalText(commentInput, "comment", limits.comment) : text(commentInput ?? "", "comment", limits.comment);
      return step(request, "reviewGrantRequest", id, async (tx, current) => {
        if (!scope.ownerOf.has(provider)) throw forbidden(`${scope.id} is not a PROVIDER_DATA_OWNER of a member operating ${provider}`, { provider });
        const parts = await grantRequestStore.partsOf(tx, [id]);
        const part = parts.find((p) => p.provider === provider);
        if (part === undefined) throw notFound(`Grant request ${id} asks nothing of ${provider}`, { grantRequest: id, provider });
        if (current.requestedBy === scope.id) throw forbidden("Nobody reviews their own request (maker-checker)", { grantRequest: id });
        if (current.status !== "PROVIDER_REVIEW" || part.status !== "PENDING") {
          throw conflict(`${provider}'s part of ${id} is ${part.status} and the request ${current.status}: it is not waiting for this review`, {
            grantRequest: id,
            status: current.status,
            partStatus: part.status,
          });
        }
        await grantRequestStore.review(tx, id, provider, approve ? "APPROVED" : "REJECTED", scope.id, comment);
        // One rejection rejects the whole request; the last approval hands it to the exchange.
        if (!approve) await grantRequestStore.setStatus(tx, id, "REJECTED");
        else if (parts.every((p) => p.provider === provider || p.status === "APPROVED")) await grantRequestStore.setStatus(tx, id, "EXCHANGE_REVIEW");
      });
    },

    decide(request: Request, id: string, approve: boolean, commentInput: string | null): Promise<GrantRequest> {
      const { scope } = request;
      requireExchangeAdmin(scope, "decide a grant request");
      const comment = approve ? optionalText(commentInput, "comment", limits.comment) : text(commentInput ?? "", "comment", limits.comment);
      return step(request, "decideGrantRequest", id, async (tx, current) => {
        if (current.requestedBy === scope.id) throw forbidden("Nobody decides their own request (maker-checker)", { grantRequest: id });
        if (approve ? current.status !== "EXCHANGE_REVIEW" : !underReview.has(current.status)) {
          throw conflict(`Grant request ${id} is ${current.status}: it cannot be ${approve ? "approved" : "rejected"} now`, { grantRequest: id, status: current.status });
        }
        if (approve && Date.parse(current.endsAt) <= Date.now()) {
          throw conflict(`Grant request ${id} ended (${current.endsAt}) while under review; request again`, { grantRequest: id });
        }
        await grantRequestStore.setStatus(tx, id, approve ? "APPROVED" : "REJECTED", { by: scope.id, comment });
        if (!approve) return;
        for (const part of await grantRequestStore.partsOf(tx, [id])) {
          for (const coordinate of part.fields) {
            await fieldGrantStore.insert(tx, { application: current.application, purpose: current.purpose, provider: part.provider, coordinate, endsAt: current.endsAt, request: id });
          }
        }
      });
    },

    withdraw(request: Request, id: string): Promise<GrantRequest> {
      const { scope } = request;
      return step(request, "withdrawGrantRequest", id, async (tx, current) => {
        if (current.requestedBy !== scope.id) throw forbidden(`Only its requester (${current.requestedBy}) withdraws a request`, { grantRequest: id });
        if (!underReview.has(current.status)) throw conflict(`Grant request ${id} is ${current.status}: it cannot be withdrawn`, { grantRequest: id, status: current.status });
        await grantRequestStore.setStatus(tx, id, "WITHDRAWN", { by: scope.id, comment: null });
      });
    },
  };
}

export type GrantRequests = ReturnType<typeof createGrantRequests>;
