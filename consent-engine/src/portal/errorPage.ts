/**
 * The page for a portal request that failed: a refusal of the consent rules (ApiError) with its status and message,
 * a sign-in problem as 502, anything else as 500 with nothing of its internals (those go to the log only).
 */
import { ApiError } from "../apiError.ts";
import { LoginError } from "./oidcLogin.ts";
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

const titles: Partial<Record<ApiError["code"], string>> = {
  CONFLICT: "Nothing was changed",
  FORBIDDEN: "Not allowed",
  NOT_FOUND: "Not found",
  BAD_USER_INPUT: "Something is wrong with this request",
  UPSTREAM_UNAVAILABLE: "Please try again in a moment",
};

export function createErrorPage(parts: PortalParts): (error: unknown, request: Request) => Promise<Response> {
  const { page, visitors, logger } = parts;
  return async function errorPage(error, request) {
    // The header shows who is signed in when that can still be read; a failure here must not hide the error page.
    const current = await visitors.current(request).catch(() => undefined);
    const user = current === undefined ? undefined : await visitors.signedIn(current).catch(() => undefined);
    const withUser = user === undefined ? {} : { user };
    if (error instanceof ApiError) {
      return page(error.status, messagePage(titles[error.code] ?? "Something went wrong", error.message, withUser));
    }
    if (error instanceof LoginError) return page(502, messagePage("Sign-in problem", error.message, { link: { href: "/", text: "Start again" } }));
    logger.error({ err: error }, "consent portal request failed");
    return page(500, messagePage("Something went wrong", "Please try again in a moment. Nothing was changed.", withUser));
  };
}
