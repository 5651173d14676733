/**
 * The page for a portal request that failed: a refusal of the consent rules (ApiError) with its status and message,
 * a sign-in problem as 502, anything else as 500 with nothing of its internals (those go to the log only). In
 * English a refusal says the engine's own message; in the other languages its code's explanation (the engine's
 * messages are English only).
 */
import { ApiError } from "../apiError.ts";
import { LoginError } from "./oidcLogin.ts";
import { translatorFor } from "./pageLanguage.ts";
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";
import type { Translator } from "./translator.ts";

const explained = ["CONFLICT", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "UPSTREAM_UNAVAILABLE"] as const;
type Explained = (typeof explained)[number];
const isExplained = (code: string): code is Explained => (explained as readonly string[]).includes(code);

function refusal(tr: Translator, error: ApiError): { title: string; message: string } {
  const code = isExplained(error.code) ? error.code : "OTHER";
  return { title: tr.t("error.title", { code }), message: tr.locale === "en" ? error.message : tr.t("error.message", { code }) };
}

export function createErrorPage(parts: PortalParts): (error: unknown, request: Request) => Promise<Response> {
  const { page, visitors, logger } = parts;
  return async function errorPage(error, request) {
    const tr = translatorFor(request);
    // The header shows who is signed in when that can still be read; a failure here must not hide the error page.
    const current = await visitors.current(request).catch(() => undefined);
    const user = current === undefined ? undefined : await visitors.signedIn(current).catch(() => undefined);
    const withUser = user === undefined ? {} : { user };
    if (error instanceof ApiError) {
      const { title, message } = refusal(tr, error);
      return page(error.status, messagePage(tr, title, message, withUser));
    }
    if (error instanceof LoginError) {
      const message = tr.locale === "en" ? error.message : tr.t("error.signInMessage");
      return page(502, messagePage(tr, tr.t("error.signInTitle"), message, { link: { href: "/", text: tr.t("common.startAgain") } }));
    }
    logger.error({ err: error }, "consent portal request failed");
    return page(500, messagePage(tr, tr.t("error.title", { code: "OTHER" }), tr.t("error.internalMessage"), withUser));
  };
}
