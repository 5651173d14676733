import { describe, expect, it } from "vitest";
import type { ApplicationView } from "../src/gateway/operations.ts";
import { translationsForm, translationsInput } from "../src/pages/translationsForm.ts";

const app: ApplicationView = {
  id: "passport-app",
  name: "Passport Application",
  description: "d",
  language: "en",
  nameTranslations: [
    { language: "fr", text: "Demande de passeport" },
    { language: "sw", text: "Ombi la Pasipoti" },
  ],
  member: { code: "DIE", name: "Immigration" },
  redirectUris: [],
  purposes: [
    { code: "passport-application", text: "To process your passport application", legalBasis: "l", maxConsentDays: 30, maxGrantDays: 365, translations: [{ language: "ar", text: "لمعالجة طلب جواز السفر" }] },
  ],
  authMethod: "CLIENT_SECRET_BASIC",
  clientRegistration: "STATIC",
  status: "ACTIVE",
  suspendedReason: null,
  createdAt: "2026-12-01T00:00:00.000Z",
  secretIssuedAt: null,
};

describe("the translations form of an application", () => {
  it("offers the portal's languages but the registered one, filled with what the application has, each input in its language", () => {
    const form = translationsForm(app, "/applications/passport-app/translations", "t").value;
    expect(form).not.toContain("In English (en)");
    expect(form).toContain("<legend>In French (fr)</legend>");
    expect(form).toContain(`<input id="tr-fr-name" name="tr-fr-name" lang="fr" dir="ltr" value="Demande de passeport">`);
    expect(form).toContain(`<input id="tr-ar-purpose0" name="tr-ar-purpose0" lang="ar" dir="rtl" value="لمعالجة طلب جواز السفر">`);
  });

  it("sends the form's languages as typed (empty removes one) and keeps the languages it does not show", () => {
    const form = new URLSearchParams({ "tr-fr-name": "", "tr-ar-name": " طلب جواز السفر ", "tr-fr-purpose0": "Pour votre passeport", "tr-ar-purpose0": "" });
    expect(translationsInput(app, form)).toEqual({
      id: "passport-app",
      nameTranslations: [
        { language: "sw", text: "Ombi la Pasipoti" },
        { language: "ar", text: "طلب جواز السفر" },
      ],
      purposes: [{ code: "passport-application", translations: [{ language: "fr", text: "Pour votre passeport" }] }],
    });
  });
});
