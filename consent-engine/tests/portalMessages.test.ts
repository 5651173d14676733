/**
 * The portal's message catalogues (issue 22): every message of every language parses as ICU MessageFormat, uses the
 * same arguments and tags as the English one (a translation cannot drop or invent a value), and formats; plural
 * messages follow each language's rules; the visible fallback of a registered text is escaped like any value.
 */
import { IntlMessageFormat } from "intl-messageformat";
import { describe, expect, it } from "vitest";
import { locales } from "../src/portal/locales.ts";
import { registeredText } from "../src/portal/registeredText.ts";
import { catalogues, createTranslator, type MessageKey } from "../src/portal/translator.ts";

type Element = ReturnType<IntlMessageFormat["getAst"]>[number];
const literal = 0;
const pound = 7;

/** The argument and tag names a message uses (nested plural and select branches and tags included). */
function names(elements: readonly Element[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    const kind: number = el.type; // the parser's TYPE enum: 0 literal text, 7 the plural's #
    if (kind === literal || kind === pound || !("value" in el)) continue;
    into.add(el.value);
    if ("options" in el) for (const option of Object.values(el.options)) names(option.value, into);
    if ("children" in el) names(el.children, into);
  }
  return into;
}

const parse = (message: string, locale: string) => new IntlMessageFormat(message, locale).getAst();

describe("portal message catalogues", () => {
  const keys = Object.keys(catalogues.en) as MessageKey[];

  it("has every English message in every language, with the same arguments and tags", () => {
    expect([...names(parse(catalogues.en["consent.durationHelp"], "en"))]).toEqual(["max"]);
    expect([...names(parse(catalogues.en["myConsents.waiting"], "en"))].sort()).toEqual(["count", "link"]);
    for (const locale of locales) {
      expect(Object.keys(catalogues[locale]).sort()).toEqual([...keys].sort());
      for (const key of keys) {
        const wanted = [...names(parse(catalogues.en[key], "en"))].sort();
        expect([...names(parse(catalogues[locale][key], locale))].sort(), `${locale} ${key}`).toEqual(wanted);
      }
    }
  });

  it("formats plurals by each language's rules", () => {
    const said = (locale: (typeof locales)[number], count: number) => createTranslator(locale).t("common.days", { count });
    expect([1, 2, 7].map((n) => said("en", n))).toEqual(["1 day", "2 days", "7 days"]);
    expect([1, 2, 7].map((n) => said("fr", n))).toEqual(["1 jour", "2 jours", "7 jours"]);
    expect([1, 2, 7, 30].map((n) => said("ar", n))).toEqual(["يوم واحد", "يومان", "7 أيام", "30 يومًا"]);
  });

  it("escapes registered texts and values, translated or not", () => {
    const tr = createTranslator("ar");
    const shown = registeredText(tr, { text: '<script>alert("x")</script>', translations: [] }).value;
    expect(shown).not.toContain("<script>");
    expect(shown).toContain('lang="en"');
    const rich = tr.rich("access.stop", { link: () => registeredText(tr, { text: "<b>", language: "ar" }) }).value;
    expect(rich).toContain("&lt;b&gt;");
  });
});
