/**
 * The portal's words in the request's language: ICU MessageFormat (plural, select) through intl-messageformat, from
 * one JSON catalogue per language (messages/*.json; English is the reference and every catalogue must have its keys),
 * dates and numbers through Intl. A translator is made per request and passed to the pages; nothing here holds a
 * language between requests (the compiled catalogues are shared, read-only).
 */
import { IntlMessageFormat } from "intl-messageformat";
import { html, SafeHtml } from "@ndx/platform";
import ar from "./messages/ar.json" with { type: "json" };
import en from "./messages/en.json" with { type: "json" };
import fr from "./messages/fr.json" with { type: "json" };
import { directionOf, type Locale } from "./locales.ts";
import { formatDate } from "./readableDate.ts";

export type MessageKey = keyof typeof en;
/** Every catalogue has every key of the English one (a missing key fails the typecheck). */
export const catalogues: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, fr, ar };

type Value = string | number | Date;
/** A rich value: a tag of the message (`<link>…</link>`) rendered by the page, or escaped text/markup. */
type RichValue = Value | SafeHtml | ((chunks: readonly (string | SafeHtml)[]) => SafeHtml);

export interface Translator {
  readonly locale: Locale;
  readonly dir: "ltr" | "rtl";
  /** Where the language switch comes back to: the page being shown (a local path). */
  readonly here: string;
  /** The message as plain text (escaped where the page inserts it). */
  t(key: MessageKey, values?: Readonly<Record<string, Value>>): string;
  /** The message as markup: its tags are given by the page, its text and plain values are escaped. */
  rich(key: MessageKey, values: Readonly<Record<string, RichValue>>): SafeHtml;
  /** A date and time as people read them in this language, with the zone said (UTC). */
  date(iso: string | null): string;
}

const compiled = new Map<string, IntlMessageFormat>();

function formatOf(locale: Locale, key: MessageKey): IntlMessageFormat {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (format === undefined) {
    format = new IntlMessageFormat(catalogues[locale][key], locale);
    compiled.set(id, format);
  }
  return format;
}

/** @param here the local path the language switch returns to. */
export function createTranslator(locale: Locale, here = "/"): Translator {
  return {
    locale,
    dir: directionOf(locale),
    here,
    t: (key, values) => String(formatOf(locale, key).format(values)),
    rich: (key, values) => {
      const out = formatOf(locale, key).format<SafeHtml>(values);
      return html`${Array.isArray(out) ? out : [out]}`;
    },
    date: (iso) => formatDate(iso, locale),
  };
}
