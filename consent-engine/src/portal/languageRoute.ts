/**
 * GET /language?lang=fr&return_to=/my/consents: the language switch every page links to (no script needed). Remembers
 * the choice in a cookie (a supported language code only) and goes back to the page, a local path only; a language
 * the portal does not speak is refused (400) and nothing is remembered.
 */
import type { Handler } from "../router.ts";
import { isLocale, languageCookie } from "./locales.ts";
import { isLocalPath } from "./localPath.ts";
import { translatorFor } from "./pageLanguage.ts";
import { messagePage } from "./pages.ts";
import type { PortalParts } from "./portalParts.ts";

/** @param secure Secure cookies (a public URL on https). */
export function languageRoute(parts: PortalParts, secure: boolean): Handler {
  const { page, redirect } = parts;
  return async (request, _p, url) => {
    const lang = url.searchParams.get("lang");
    if (!isLocale(lang)) {
      const tr = translatorFor(request);
      return page(400, messagePage(tr, tr.t("language.unknownTitle"), tr.t("language.unknownMessage"), { link: { href: "/", text: tr.t("common.startPage") } }));
    }
    const back = url.searchParams.get("return_to") ?? "/";
    return redirect(isLocalPath(back) && !back.startsWith("/language") ? back : "/", [languageCookie(lang, secure)]);
  };
}
