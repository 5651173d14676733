/**
 * The portal's languages: which it speaks, which a request gets (a valid `ndx_lang` cookie the citizen chose, else
 * the best match of the browser's `Accept-Language` by its q-values, else English), and the cookie that remembers a
 * choice. English, French (Farajaland's two official languages in the OpenCRVS demo) and Arabic (right to left).
 */
import Negotiator from "negotiator";

export const locales = ["en", "fr", "ar"] as const;
export type Locale = (typeof locales)[number];
const defaultLocale: Locale = "en";

/** Each language's name in itself, for the language switch. */
export const localeNames: Readonly<Record<Locale, string>> = { en: "English", fr: "Français", ar: "العربية" };

/** The cookie that remembers the citizen's choice: a language code only, nothing secret. */
const languageCookieName = "ndx_lang";
const oneYear = 365 * 24 * 3600;

export function isLocale(value: string | null | undefined): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

export function directionOf(locale: Locale): "ltr" | "rtl" {
  return locale === "ar" ? "rtl" : "ltr";
}

function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** The language of a request's pages: the remembered choice when it is one we speak, else Accept-Language. */
export function localeOf(request: Request): Locale {
  const chosen = cookieValue(request, languageCookieName);
  if (isLocale(chosen)) return chosen;
  const acceptLanguage = request.headers.get("accept-language") ?? "";
  // Negotiator orders by q-value and matches a regional tag (fr-CA) to its language (fr); q=0 refuses a language.
  const best = new Negotiator({ headers: { "accept-language": acceptLanguage } }).language([...locales]);
  return isLocale(best) ? best : defaultLocale;
}

/** Set-Cookie remembering `locale`; Lax so a link from another site still opens the page in the chosen language. */
export function languageCookie(locale: Locale, secure: boolean): string {
  return `${languageCookieName}=${locale}; Path=/; Max-Age=${oneYear}; SameSite=Lax${secure ? "; Secure" : ""}`;
}
