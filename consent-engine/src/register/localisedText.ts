/**
 * A registered text in the language a citizen reads (issue 22): an agency registers its application's name and each
 * purpose's citizen text in its own language (`language`, `en` when the register does not say) and may add
 * translations. The text shown is the translation for the language wanted — matched exactly, then by primary subtag
 * (`fr-CA` reads `fr`, and `fr` reads `fr-CA` when that is all there is) — or else the registered text, with
 * `fallback: true` so the page can say so and mark its language (`lang`).
 */
import type { RegisterApplication, RegisterPurpose, RegisterTranslation } from "@ndx/contracts";

export interface RegisteredText {
  readonly text: string;
  /** The BCP 47 tag `text` is in. @default "en" */
  readonly language?: string | undefined;
  readonly translations?: readonly RegisterTranslation[] | undefined;
}

export interface LocalisedText {
  readonly text: string;
  /** The BCP 47 tag of `text`: for the element's `lang` (and `dir`). */
  readonly language: string;
  /** The wanted language has no translation: `text` is the registered one, in another language than wanted. */
  readonly fallback: boolean;
}

const primary = (tag: string): string => tag.split("-")[0]?.toLowerCase() ?? "";
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** `entry` in the first of `wanted` (a tag, or tags in order of preference) it has, or its registered text. */
export function localisedText(entry: RegisteredText, wanted: string | readonly string[]): LocalisedText {
  const registered = entry.language ?? "en";
  const translations = entry.translations ?? [];
  for (const tag of typeof wanted === "string" ? [wanted] : wanted) {
    if (same(tag, registered)) return { text: entry.text, language: registered, fallback: false };
    const found = translations.find((t) => same(t.language, tag)) ?? translations.find((t) => primary(t.language) === primary(tag));
    if (found !== undefined) return { text: found.text, language: found.language, fallback: false };
    if (primary(tag) === primary(registered)) return { text: entry.text, language: registered, fallback: false };
  }
  return { text: entry.text, language: registered, fallback: true };
}

/** The application's name in the language wanted. */
export const localisedName = (application: RegisterApplication, wanted: string | readonly string[]): LocalisedText =>
  localisedText({ text: application.name, language: application.language, translations: application.nameTranslations }, wanted);

/** A purpose's citizen text in the language wanted (purposes are registered in their application's language). */
export const localisedPurposeText = (application: RegisterApplication, purpose: RegisterPurpose, wanted: string | readonly string[]): LocalisedText =>
  localisedText({ text: purpose.text, language: application.language, translations: purpose.translations }, wanted);
