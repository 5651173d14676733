/**
 * What an agency registered (an application's name, a purpose's text) in the page's language: its translation when
 * the register carries one for that language, else the registered text marked with its own language (`lang`) and a
 * visible note saying which language it is in — never silently in another language.
 */
import { html, type SafeHtml } from "@ndx/platform";
import { localisedText, type RegisteredText } from "../register/localisedText.ts";
import type { Translator } from "./translator.ts";

export type { RegisteredText };

interface Translation {
  readonly language: string;
  readonly text: string;
}

/** An application as the register may describe it: its name and (when registered) the name's translations. */
export interface NamedApplication {
  readonly name: string;
  readonly language?: string | undefined;
  readonly nameTranslations?: readonly Translation[] | undefined;
}

function languageName(tr: Translator, tag: string): string {
  return new Intl.DisplayNames([tr.locale], { type: "language" }).of(tag) ?? tag;
}

/** The text to show, as markup: translated, in the page's own language, or the visible fallback. */
export function registeredText(tr: Translator, text: RegisteredText): SafeHtml {
  const shown = localisedText(text, tr.locale);
  if (!shown.fallback) return html`${shown.text}`;
  return html`<span lang="${shown.language}" dir="${directionOfTag(shown.language)}">${shown.text}</span> <span class="fallback">${tr.t("registered.fallback", { language: languageName(tr, shown.language) })}</span>`;
}

const rightToLeft = new Set(["ar", "he", "fa", "ur", "ps", "dv", "yi"]);
/** The writing direction of a BCP 47 tag's language. */
const directionOfTag = (tag: string): "ltr" | "rtl" => (rightToLeft.has(tag.toLowerCase().split("-")[0] ?? "") ? "rtl" : "ltr");

/**
 * A registered text the register carries no translations of (a description, a member's name, a legal basis), in its
 * own language and direction; marked as another language when the page is in another.
 */
export function untranslated(tr: Translator, text: string, language: string): SafeHtml {
  if (language.toLowerCase().split("-")[0] === tr.locale) return html`${text}`;
  return html`<span lang="${language}" dir="${directionOfTag(language)}">${text}</span>`;
}

/** The text only (for attributes and titles): the translation, else the registered text. */
export function registeredPlain(tr: Translator, text: RegisteredText): string {
  return localisedText(text, tr.locale).text;
}

export const applicationName = (application: NamedApplication): RegisteredText => ({
  text: application.name,
  language: application.language,
  translations: application.nameTranslations,
});

/** The language an application registered its texts in. */
export const registeredLanguage = (application: NamedApplication): string => application.language ?? "en";

/** A purpose's text as registered by `application`, with its translations. */
export const purposeText = (
  application: NamedApplication,
  purpose: { readonly text: string; readonly translations?: readonly Translation[] | undefined },
): RegisteredText => ({ text: purpose.text, language: application.language, translations: purpose.translations });
