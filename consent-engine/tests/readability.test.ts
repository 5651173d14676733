/**
 * Plain language (issue 22): the English consent page — rendered by the portal for a real request of the seeded
 * passport application — reads at or below US grade 7 by the Flesch–Kincaid formula (the `flesch-kincaid` and
 * `syllable` packages). Text is what the page's main content says: each heading, term, definition, list item, label,
 * paragraph and button a sentence of its own. The page says who asks, why, what, from which agency, for how long and
 * what happens on Deny, each in short sentences.
 */
import { fleschKincaid } from "flesch-kincaid";
import { syllable } from "syllable";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsentView } from "../src/index.ts";
import { loadFieldCatalogue } from "../src/catalogue.ts";
import { consentPage } from "../src/portal/pages.ts";
import { createTranslator } from "../src/portal/translator.ts";
import { passportRequest, seededRegister, startSystem, type TestSystem } from "./support/system.ts";

/** The grade the English consent page must not exceed (US school grade, Flesch–Kincaid). */
const maxGrade = 7;

let system: TestSystem;
let consent: ConsentView;
beforeAll(async () => {
  system = await startSystem();
  consent = (await (await system.api("/v1/consent-requests", passportRequest)).json()) as ConsentView;
});
afterAll(async () => {
  await system?.close();
});

const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#96;": "`" };

/** The main content's text, each block a sentence (a full stop added where the block has none). */
function pageText(html: string): string {
  const main = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
  return main
    .replace(/<(select)[\s\S]*?<\/\1>/g, "For 7 days.")
    .replace(/<\/(h1|h2|h3|h4|dt|dd|li|p|label|legend|button|option)>/g, ".\n")
    .replace(/<[^>]+>/g, " ")
    .replace(/&[#a-z0-9]+;/g, (e) => entities[e] ?? " ")
    .replace(/[ \t]+/g, " ")
    .replace(/([.!?:])\s*\.\n/g, "$1\n")
    .trim();
}

function grade(text: string): { grade: number; sentences: number; words: number } {
  const sentences = text.split(/[.!?]+(?:\s|$)/).filter((s) => /[A-Za-z]/.test(s)).length;
  const words = text.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w));
  const syllables = words.reduce((n, w) => n + Math.max(1, syllable(w)), 0);
  return { grade: fleschKincaid({ sentence: sentences, word: words.length, syllable: syllables }), sentences, words: words.length };
}

describe("the consent page in plain English", () => {
  it(`reads at or below grade ${maxGrade}, and says who, why, what, from which agency, for how long and what Deny does`, () => {
    const application = seededRegister.applications.find((a) => a.id === "passport-app");
    const purpose = application?.purposes.find((p) => p.code === "passport-application");
    if (application === undefined || purpose === undefined) throw new Error("the seed has no passport application");
    const html = consentPage(createTranslator("en"), {
      consent,
      application,
      purpose,
      catalogue: loadFieldCatalogue(),
      user: { name: "Chikondi Emmanuel Mulenga", subject: consent.citizenId, logoutToken: "t" },
      formToken: "t",
      returnsTo: undefined,
    });
    const text = pageText(html);
    for (const says of ["Who asks", "Why", "What they would see", "Their agency", "For how long", "If you deny"]) expect(text).toContain(says);
    const measured = grade(text);
    console.log(`consent page: Flesch–Kincaid grade ${measured.grade.toFixed(1)} (${measured.words} words, ${measured.sentences} sentences)`);
    expect(measured.grade).toBeLessThanOrEqual(maxGrade);
  });

  it("measures a hard text as hard (the formula works on this extraction)", () => {
    const hard = pageText(
      "<main><p>Notwithstanding the aforementioned considerations, the administrative authority's determination regarding eligibility necessitates comprehensive documentation, verification of identity characteristics, and institutional authorisation procedures.</p></main>",
    );
    expect(grade(hard).grade).toBeGreaterThan(maxGrade + 8);
  });
});
