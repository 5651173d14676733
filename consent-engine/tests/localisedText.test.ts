import { describe, expect, it } from "vitest";
import { loadExchangeSeed, loadFarajaland, seedRegister } from "@ndx/fixtures";
import { defaultFixturesFile } from "@ndx/platform";
import type { RegisterApplication } from "@ndx/contracts";
import { localisedName, localisedPurposeText, localisedText } from "../src/register/localisedText.ts";

const entry = {
  text: "To process your passport application",
  language: "en",
  translations: [
    { language: "fr", text: "Pour traiter votre demande de passeport" },
    { language: "fr-CA", text: "Pour traiter votre demande de passeport (Canada)" },
    { language: "ar", text: "لمعالجة طلب جواز السفر الخاص بك" },
  ],
};

describe("localisedText", () => {
  it("gives the translation for the language wanted, matched exactly first", () => {
    expect(localisedText(entry, "fr")).toEqual({ text: "Pour traiter votre demande de passeport", language: "fr", fallback: false });
    expect(localisedText(entry, "fr-CA")).toEqual({ text: "Pour traiter votre demande de passeport (Canada)", language: "fr-CA", fallback: false });
    expect(localisedText(entry, "AR")).toEqual({ text: "لمعالجة طلب جواز السفر الخاص بك", language: "ar", fallback: false });
  });

  it("matches by primary subtag either way", () => {
    expect(localisedText(entry, "fr-BE")).toMatchObject({ language: "fr", fallback: false });
    expect(localisedText(entry, "ar-EG")).toMatchObject({ language: "ar", fallback: false });
    const onlyRegional = { text: "Hello", language: "en", translations: [{ language: "fr-CA", text: "Bonjour" }] };
    expect(localisedText(onlyRegional, "fr")).toEqual({ text: "Bonjour", language: "fr-CA", fallback: false });
  });

  it("is the registered text, not a fallback, in the registered language or a variant of it", () => {
    expect(localisedText(entry, "en")).toEqual({ text: entry.text, language: "en", fallback: false });
    expect(localisedText(entry, "en-GB")).toEqual({ text: entry.text, language: "en", fallback: false });
    expect(localisedText({ ...entry, language: "fr", translations: [] }, "fr-FR")).toMatchObject({ language: "fr", fallback: false });
  });

  it("falls back visibly to the registered text and its language when there is no translation", () => {
    expect(localisedText(entry, "sw")).toEqual({ text: entry.text, language: "en", fallback: true });
    expect(localisedText({ text: "Hello" }, "ar")).toEqual({ text: "Hello", language: "en", fallback: true });
    expect(localisedText({ text: "Bonjour", language: "fr", translations: [] }, "en")).toEqual({ text: "Bonjour", language: "fr", fallback: true });
  });

  it("takes the first language of a preference list it has", () => {
    expect(localisedText(entry, ["sw", "ar", "fr"])).toMatchObject({ language: "ar", fallback: false });
    expect(localisedText(entry, ["sw", "pt"])).toMatchObject({ language: "en", fallback: true });
    expect(localisedText(entry, [])).toMatchObject({ language: "en", fallback: true });
  });

  it("reads the seeded register: names and purposes in French and Arabic, benefit-eligibility untranslated in Arabic", () => {
    const register = seedRegister(loadExchangeSeed(), loadFarajaland(defaultFixturesFile));
    const app = (id: string): RegisterApplication => {
      const found = register.applications.find((a) => a.id === id);
      if (found === undefined) throw new Error(`no ${id}`);
      return found;
    };
    const passport = app("passport-app");
    const benefits = app("benefits-app");
    expect(localisedName(passport, "fr")).toMatchObject({ language: "fr", fallback: false });
    expect(localisedName(benefits, "ar")).toMatchObject({ language: "ar", fallback: false });
    expect(localisedPurposeText(passport, passport.purposes[0]!, "ar")).toMatchObject({ language: "ar", fallback: false });
    expect(localisedPurposeText(benefits, benefits.purposes[0]!, "fr")).toMatchObject({ language: "fr", fallback: false });
    expect(localisedPurposeText(benefits, benefits.purposes[0]!, "ar")).toEqual({
      text: "To check whether you are eligible for social benefits",
      language: "en",
      fallback: true,
    });
  });

  it("reads a register of the first version (no language, no translations) as English", () => {
    const old: RegisterApplication = {
      id: "old-app",
      name: "Old",
      description: "d",
      member: { code: "M", name: "M" },
      status: "ACTIVE",
      redirectUris: [],
      purposes: [{ code: "p", text: "Why", legalBasis: "l", maxConsentDays: 1, maxGrantDays: 1 }],
      clearance: "PERSONAL",
      bulkAccess: false,
      grants: [],
    };
    expect(localisedName(old, "fr")).toEqual({ text: "Old", language: "en", fallback: true });
    expect(localisedPurposeText(old, old.purposes[0]!, "en")).toEqual({ text: "Why", language: "en", fallback: false });
  });
});
