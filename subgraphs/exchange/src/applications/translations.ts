/**
 * What an agency registers in its own language (a BCP 47 tag, `en` unless it says otherwise) can carry translations:
 * the application's name and each purpose's citizen text. A follower shows the translation a citizen asks for and
 * falls back, visibly, to the registered text.
 */
import { badInput } from "../errors.ts";
import { atMost } from "../inputChecks.ts";

export interface Translation {
  /** BCP 47 language tag, e.g. `fr`, `ar`, `fr-CA`. */
  readonly language: string;
  readonly text: string;
}

const translationLimits = {
  /** Languages one text may be translated into. */
  languages: 20,
  /** A language tag's length. */
  tag: 35,
} as const;

/**
 * The shape of a BCP 47 tag (RFC 5646 section 2.1, without grandfathered tags): a 2–3 letter primary language, then
 * optional script, region, variant and extension subtags.
 */
const tagShape = /^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-([a-z\d]{5,8}|\d[a-z\d]{3}))*(-[a-wyz\d](-[a-z\d]{2,8})+)*(-x(-[a-z\d]{1,8})+)?$/i;

/** The tag as written (case normalised per RFC 5646: `fr-CA`, `zh-Hant-TW`), refused when it has no tag's shape. */
export function checkLanguage(raw: string, field: string): string {
  const tag = raw.trim();
  if (tag.length > translationLimits.tag || !tagShape.test(tag)) {
    throw badInput(`${field} is not a BCP 47 language tag (e.g. "en", "fr", "ar", "fr-CA")`, { field });
  }
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? tag;
  } catch {
    throw badInput(`${field} is not a BCP 47 language tag (e.g. "en", "fr", "ar", "fr-CA")`, { field });
  }
}

/**
 * Translations of one text registered in `registered`: at most 20, each language once and none the registered one,
 * each text trimmed, not blank and at most `max` characters.
 */
export function checkTranslations(list: readonly Translation[] | null | undefined, field: string, max: number, registered: string): Translation[] {
  const items = atMost(list ?? [], field, translationLimits.languages);
  const out = items.map((t, i) => {
    const language = checkLanguage(t.language, `${field}[${i}].language`);
    const textField = `${field}[${i}].text`;
    const text = t.text.trim();
    if (text === "") throw badInput(`${textField} is required`, { field: textField });
    if (text.length > max) throw badInput(`${textField} is longer than ${max} characters`, { field: textField, max });
    if (language.toLowerCase() === registered.toLowerCase()) {
      const languageField = `${field}[${i}].language`;
      throw badInput(`${languageField} is the registered language (${registered}): the registered text is that one`, { field: languageField });
    }
    return { language, text };
  });
  const seen = out.map((t) => t.language.toLowerCase());
  if (new Set(seen).size !== seen.length) throw badInput(`${field} names a language twice`, { field });
  return out;
}
