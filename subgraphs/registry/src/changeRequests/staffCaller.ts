/**
 * Who may do what in the registry, checked here as well as by the gateway's policy (defence in depth): the caller is
 * the one the gateway forwarded; registry work needs a signed-in staff member holding the right role.
 */
import { ndxError, type ForwardedCaller } from "@ndx/platform";

export type StaffRole = "registrar" | "approver";

export interface Staff {
  readonly id: string;
  readonly roles: readonly string[];
}

/** The staff member making the request, if they hold one of `roles`; otherwise UNAUTHENTICATED or FORBIDDEN. */
export function requireStaff(caller: ForwardedCaller | undefined, roles: readonly StaffRole[], action: string): Staff {
  if (caller === undefined) {
    throw ndxError("UNAUTHENTICATED", `To ${action}, sign in as registry staff; the gateway forwarded no caller`, { httpStatus: false });
  }
  if (caller.kind !== "staff") {
    throw ndxError("FORBIDDEN", `Only registry staff may ${action}; ${caller.kind} ${caller.id} is not staff`, {
      details: { requiredRoles: roles },
      httpStatus: false,
    });
  }
  if (!caller.roles.some((r) => (roles as readonly string[]).includes(r))) {
    throw ndxError("FORBIDDEN", `To ${action}, ${caller.id} needs the ${roles.join(" or ")} role`, {
      details: { requiredRoles: roles },
      httpStatus: false,
    });
  }
  return { id: caller.id, roles: caller.roles };
}
