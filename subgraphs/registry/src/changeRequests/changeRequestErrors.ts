/** The change-request errors more than one step of the workflow raises. */
import { ndxError } from "@ndx/platform";
import type { GraphQLError } from "graphql";

export const changeRequestNotFound = (id: string): GraphQLError =>
  ndxError("NOT_FOUND", `There is no change request ${id}`, { details: { changeRequestId: id }, httpStatus: false });
