/**
 * The life of a change request, explicit: it is submitted PENDING; from there an approver approves it (the change is
 * applied in the same transaction) or rejects it, or its submitter withdraws it. APPROVED, REJECTED and WITHDRAWN are
 * final. Each transition is recorded with who, with which roles, when and why.
 */
import { ndxError } from "@ndx/platform";

export type ChangeRequestStatus = "PENDING" | "APPROVED" | "REJECTED" | "WITHDRAWN";
export type ChangeRequestAction = "approve" | "reject" | "withdraw";

const transitions: Readonly<Record<ChangeRequestStatus, Partial<Record<ChangeRequestAction, ChangeRequestStatus>>>> = {
  PENDING: { approve: "APPROVED", reject: "REJECTED", withdraw: "WITHDRAWN" },
  APPROVED: {},
  REJECTED: {},
  WITHDRAWN: {},
};

/** The status `action` leads to from `status`, or CONFLICT naming the state the request is in. */
export function nextStatus(id: string, status: ChangeRequestStatus, action: ChangeRequestAction): ChangeRequestStatus {
  const next = transitions[status][action];
  if (next === undefined) {
    throw ndxError("CONFLICT", `Change request ${id} is ${status}; only a PENDING change request can be ${action === "withdraw" ? "withdrawn" : `${action}d`}`, {
      details: { changeRequestId: id, status },
      httpStatus: false,
    });
  }
  return next;
}
