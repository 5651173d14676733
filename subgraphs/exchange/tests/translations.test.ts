import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchangeRegister } from "@ndx/contracts";
import { testBackends } from "@ndx/platform/testing";
import { admin, codes, immigration, startTestExchange, welfare, written, type TestExchange } from "./harness.ts";
import { sseReader } from "./sse.ts";

const registerApplication = `mutation($input: RegisterApplicationInput!) {
  registerApplication(input: $input) { clientId application { id name language nameTranslations { language text }
    purposes { code text translations { language text } } } } }`;

const setTranslations = `mutation($id: ID!, $name: [TranslationInput!], $purposes: [PurposeTranslationsInput!]) {
  setApplicationTranslations(id: $id, nameTranslations: $name, purposes: $purposes) {
    name language nameTranslations { language text } purposes { code text translations { language text } } } }`;

let counter = 0;
const app = (overrides: Record<string, unknown> = {}, purpose: Record<string, unknown> = {}) => ({
  member: "DIE",
  name: "Visa Applications",
  description: "The immigration office checks who you are when you apply for a visa.",
  redirectUris: ["https://visa.immigration.example/callback"],
  purposes: [{ code: `visa-translated-${(counter += 1)}`, text: "To process your visa application", legalBasis: "Immigration Act, s. 9", ...purpose }],
  ...overrides,
});

const fr = { language: "fr", text: "Demandes de visa" };
const ar = { language: "ar", text: "طلبات التأشيرة" };

for (const backend of testBackends()) {
  describe(`registered texts with translations on ${backend.name}`, () => {
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    const register = async () => {
      const parsed = exchangeRegister.parse(await (await t.get("/v1/register")).json());
      if (!parsed.ok) throw new Error(parsed.problem);
      return parsed.value;
    };

    it("stores the language and the translations, returns them, keeps them in the history and sends them to followers", async () => {
      const stream = sseReader(await t.get("/v1/register/stream"));
      try {
        const first = await stream.next();
        const input = app(
          { language: "en-GB", nameTranslations: [fr, { language: "AR", text: `  ${ar.text}  ` }] },
          { translations: [{ language: "fr-ca", text: "Pour traiter votre demande de visa" }] },
        );
        const body = await t.gql(immigration, registerApplication, { input });
        expect(body.errors).toBeUndefined();
        const made = body.data?.["registerApplication"] as { clientId: string; application: Record<string, unknown> };
        const purposeCode = input.purposes[0]?.code;
        // Tags are stored in their canonical case, texts trimmed.
        expect(made.application).toEqual({
          id: made.clientId,
          name: "Visa Applications",
          language: "en-GB",
          nameTranslations: [fr, ar],
          purposes: [{ code: purposeCode, text: "To process your visa application", translations: [{ language: "fr-CA", text: "Pour traiter votre demande de visa" }] }],
        });
        expect(body.extensions?.["ndxAudit"]).toMatchObject({
          action: "registerApplication",
          after: { language: "en-GB", nameTranslations: [fr, ar], purposes: [{ translations: [{ language: "fr-CA" }] }] },
        });
        const history = await t.db.query<{ after: Record<string, unknown> }>(
          "SELECT after FROM admin_history WHERE action = 'registerApplication' AND target = $1",
          [`application:${made.clientId}`],
        );
        expect(history.rows[0]?.after).toMatchObject({ language: "en-GB", nameTranslations: [fr, ar] });

        // The stream announces the change; the register at that revision carries the translations.
        const next = await stream.until((e) => e.event === "revision" && Number(e.data["revision"]) > Number(first?.data["revision"]));
        const doc = await register();
        expect(doc.revision).toBe(next.data["revision"]);
        expect(doc.applications.find((a) => a.id === made.clientId)).toMatchObject({
          language: "en-GB",
          nameTranslations: [fr, ar],
          purposes: [{ code: purposeCode, translations: [{ language: "fr-CA", text: "Pour traiter votre demande de visa" }] }],
        });
      } finally {
        await stream.cancel();
      }
    });

    it("defaults to English with no translations", async () => {
      const body = await t.gql(immigration, registerApplication, { input: app() });
      expect(body.errors).toBeUndefined();
      expect(body.data?.["registerApplication"]).toMatchObject({ application: { language: "en", nameTranslations: [], purposes: [{ translations: [] }] } });
    });

    it("serves the seed's French and Arabic, with benefit-eligibility left untranslated in Arabic", async () => {
      const doc = await register();
      const passport = doc.applications.find((a) => a.id === "passport-app");
      const benefits = doc.applications.find((a) => a.id === "benefits-app");
      expect(passport?.language).toBe("en");
      expect(passport?.nameTranslations?.map((x) => x.language)).toEqual(["fr", "ar"]);
      expect(passport?.purposes[0]?.translations?.map((x) => x.language)).toEqual(["fr", "ar"]);
      expect(benefits?.purposes[0]?.translations?.map((x) => x.language)).toEqual(["fr"]);
    });

    it("refuses bad tags, duplicates, too many languages and bad texts, naming the field, before anything is made", async () => {
      const clients = t.registrar.clients.size;
      const before = await written(t.db);
      const many = Array.from({ length: 21 }, (_, i) => ({ language: `x${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`, text: "t" }));
      const bad: [Record<string, unknown>, Record<string, unknown>, string][] = [
        [{ language: "english" }, {}, "language"],
        [{ language: "fr_CA" }, {}, "language"],
        [{ language: "" }, {}, "language"],
        [{ nameTranslations: [{ language: "fr", text: "a" }, { language: "FR", text: "b" }] }, {}, "nameTranslations"],
        [{ nameTranslations: [{ language: "en", text: "Visa" }] }, {}, "nameTranslations[0].language"],
        [{ nameTranslations: [{ language: "fr", text: "   " }] }, {}, "nameTranslations[0].text"],
        [{ nameTranslations: [{ language: "fr", text: "x".repeat(201) }] }, {}, "nameTranslations[0].text"],
        [{ nameTranslations: [{ language: "<script>", text: "x" }] }, {}, "nameTranslations[0].language"],
        [{ nameTranslations: many }, {}, "nameTranslations"],
        [{}, { translations: [{ language: "ar", text: "x".repeat(501) }] }, "purposes[0].translations[0].text"],
        [{}, { translations: [{ language: "a", text: "x" }] }, "purposes[0].translations[0].language"],
        [{}, { translations: [{ language: "ar", text: "a" }, { language: "ar", text: "b" }] }, "purposes[0].translations"],
      ];
      for (const [overrides, purpose, field] of bad) {
        const body = await t.gql(immigration, registerApplication, { input: app(overrides, purpose) });
        expect({ overrides, purpose, codes: codes(body), field: body.errors?.[0]?.extensions?.["field"] }).toEqual({
          overrides,
          purpose,
          codes: ["BAD_USER_INPUT"],
          field,
        });
        expect(body.errors?.[0]?.message).toContain(field);
      }
      expect(t.registrar.clients.size).toBe(clients);
      expect(await written(t.db)).toEqual(before);
    });

    it("changes the translations later, for the member's administrators only, in the history and the register", async () => {
      const before = (await written(t.db))["revision"] ?? 0;
      const changed = await t.gql(immigration, setTranslations, {
        id: "passport-app",
        name: [{ language: "sw", text: "Idara ya Uhamiaji — Ombi la Pasipoti" }],
        purposes: [{ code: "passport-application", translations: [{ language: "sw", text: "Ili kushughulikia ombi lako la pasipoti" }] }],
      });
      expect(changed.errors).toBeUndefined();
      expect(changed.data?.["setApplicationTranslations"]).toMatchObject({
        language: "en",
        nameTranslations: [{ language: "sw" }],
        purposes: [{ code: "passport-application", text: "To process your passport application", translations: [{ language: "sw" }] }],
      });
      expect(changed.extensions?.["ndxAudit"]).toMatchObject({
        action: "setApplicationTranslations",
        target: "application:passport-app",
        before: { nameTranslations: [{ language: "fr" }, { language: "ar" }] },
        after: { nameTranslations: [{ language: "sw" }] },
      });
      expect((await written(t.db))["revision"]).toBe(before + 1);
      const passport = (await register()).applications.find((a) => a.id === "passport-app");
      expect(passport?.nameTranslations).toEqual([{ language: "sw", text: "Idara ya Uhamiaji — Ombi la Pasipoti" }]);
      // Leaving the name out keeps it; a purpose not named keeps its own.
      const purposeOnly = await t.gql(immigration, setTranslations, { id: "passport-app", purposes: [] });
      expect(purposeOnly.data?.["setApplicationTranslations"]).toMatchObject({ nameTranslations: [{ language: "sw" }], purposes: [{ translations: [{ language: "sw" }] }] });

      const unchanged = await written(t.db);
      // Another member's administrator: no such application; an exchange administrator is not the member's.
      expect(codes(await t.gql(welfare, setTranslations, { id: "passport-app", name: [] }))).toEqual(["NOT_FOUND"]);
      expect(codes(await t.gql(admin, setTranslations, { id: "passport-app", name: [] }))).toEqual(["FORBIDDEN"]);
      const bad: [Record<string, unknown>, string][] = [
        [{ purposes: [{ code: "benefit-eligibility", translations: [] }] }, "purposes[0].code"],
        [{ purposes: [{ code: "passport-application", translations: [] }, { code: "passport-application", translations: [] }] }, "purposes"],
        [{ name: [{ language: "en", text: "Passport" }] }, "nameTranslations[0].language"],
        [{ purposes: [{ code: "passport-application", translations: [{ language: "fr", text: "x".repeat(501) }] }] }, "purposes[0].translations[0].text"],
      ];
      for (const [args, field] of bad) {
        const body = await t.gql(immigration, setTranslations, { id: "passport-app", ...args });
        expect({ field, codes: codes(body), named: body.errors?.[0]?.extensions?.["field"] }).toEqual({ field, codes: ["BAD_USER_INPUT"], named: field });
      }
      expect(await written(t.db)).toEqual(unchanged);
    });
  });
}
