/**
 * Every page of the consent portal, reached as a citizen reaches it, for the accessibility, reflow and language tests:
 * the real engine and identity provider, the gateway's audit API as a real HTTP stand-in, and Chromium. A tour runs in
 * one fresh browser context (its Accept-Language, its viewport) and calls `atPage` on each page once it shows: the
 * start page (signed out), the consent question, the answer's confirmation, an already answered request, My consents
 * (with a request waiting, an active and a paused consent), the notice after a pause, the receipt, Who saw my data,
 * the use log, a replaced request, an expired request, and error pages (not found, a bad link, an unknown language).
 */
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import type { ConsentView } from "../../src/index.ts";
import { createAuditReader } from "../../src/index.ts";
import { startAuditStandIn, type AuditStandIn } from "./auditStandIn.ts";
import { launchChromium, signIn } from "./browser.ts";
import { passportRequest, startSystem, type TestSystem } from "./system.ts";

export const citizen = "199012345678";
export const languages = ["en", "fr", "ar"] as const;

/** A request of benefits-app (its purpose has no Arabic translation registered: the visible fallback shows). */
export const benefitsRequest = {
  consumerId: "benefits-app",
  citizenId: citizen,
  purpose: "benefit-eligibility",
  fields: [
    { provider: "registry", field: "Person.fullName" },
    { provider: "drp", field: "Person.permanentAddress" },
  ],
};

export interface PortalRig {
  readonly system: TestSystem;
  readonly browser: Browser;
  readonly audit: AuditStandIn;
  /** Moves the engine's clock by `ms` (requests expire an hour after they are opened). */
  setClockOffset(ms: number): void;
  openRequest(body: unknown): Promise<ConsentView>;
  close(): Promise<void>;
}

export async function startPortalRig(): Promise<PortalRig> {
  let offset = 0;
  const audit = await startAuditStandIn();
  const auditReader = createAuditReader({ gatewayUrl: audit.url, token: audit.token });
  const [system, browser] = await Promise.all([
    startSystem({ engine: { auditReader, now: () => new Date(Date.now() + offset) } }),
    launchChromium(),
  ]);
  const openRequest = async (body: unknown): Promise<ConsentView> => {
    const response = await system.api("/v1/consent-requests", body);
    if (response.status >= 300) throw new Error(`opening a request answered ${response.status}`);
    return (await response.json()) as ConsentView;
  };
  return {
    system,
    browser,
    audit,
    setClockOffset: (ms) => {
      offset = ms;
    },
    openRequest,
    close: async () => {
      await browser.close();
      await system.close();
      await audit.close();
    },
  };
}

export type AtPage = (name: string, page: Page) => Promise<void>;

/** Waits for the portal's page (its main landmark) after a navigation. */
async function shown(page: Page): Promise<void> {
  await page.locator("main h1").first().waitFor();
}

let variant = 0;
const fieldSets = [
  [{ provider: "registry", field: "Person.dateOfBirth" }],
  [{ provider: "registry", field: "Person.birthPlace" }],
  [{ provider: "registry", field: "Person.sex" }],
  [{ provider: "registry", field: "Person.district" }],
  [{ provider: "drp", field: "Person.registeredName" }],
  [{ provider: "registry", field: "Person.birthRegistrationNumber" }],
];

/** A request nobody has answered yet, for the pages that need one (fields differ each time, so none is reused). */
function freshFields(): (typeof fieldSets)[number] {
  variant = (variant + 1) % fieldSets.length;
  return fieldSets[variant] ?? [];
}

/** One tour of every page in a fresh context; `atPage` runs on each. */
export async function tourPortal(rig: PortalRig, contextOptions: BrowserContextOptions, atPage: AtPage): Promise<void> {
  const { system, audit } = rig;
  const context = await rig.browser.newContext({ viewport: { width: 1000, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  try {
    await page.goto(`${system.portalUrl}/`);
    await shown(page);
    await atPage("home", page);

    const asked = await rig.openRequest(passportRequest);
    await page.goto(asked.consentUrl);
    // The sign-in hand-off: the identity provider's page, in the portal's language.
    await page.locator("input#username").waitFor();
    await atPage("sign-in", page);
    await signIn(page, citizen);
    await page.waitForURL(new RegExp(`/consent/${asked.consentId}`));
    await shown(page);
    await atPage("consent-question", page);

    const benefits = await rig.openRequest({ ...benefitsRequest, fields: [...benefitsRequest.fields, ...freshFields()] });
    await page.goto(benefits.consentUrl);
    await Promise.all([page.waitForURL(new RegExp(`/consent/${benefits.consentId}`)), page.locator('button[value="grant"]').click()]);
    await shown(page);
    await atPage("answer-confirmation", page);

    await page.goto(benefits.consentUrl);
    await shown(page);
    await atPage("already-answered", page);

    const now = new Date().toISOString();
    const read = { consumer: "benefits-app", purpose: "benefit-eligibility", fields: benefitsRequest.fields };
    audit.record(citizen, { ...read, id: `evt-${benefits.consentId}-asked`, at: benefits.createdAt, decision: "consent_required", consentIds: [] });
    audit.record(citizen, { ...read, id: `evt-${benefits.consentId}-read`, at: now, decision: "permit", consentIds: [benefits.consentId] });

    await page.goto(`${system.portalUrl}/my/consents`);
    await shown(page);
    await atPage("my-consents", page);

    const pause = page.locator(`form[action="/my/consents/${benefits.consentId}/pause"] button`);
    await Promise.all([page.waitForURL(/notice=paused/), pause.click()]);
    await shown(page);
    await atPage("paused-notice", page);

    await page.goto(`${system.portalUrl}/my/consents/${benefits.consentId}/receipt`);
    await shown(page);
    await atPage("receipt", page);

    await page.goto(`${system.portalUrl}/my/accesses`);
    await shown(page);
    await atPage("who-saw-my-data", page);

    await page.goto(`${system.portalUrl}/my/uses`);
    await shown(page);
    await atPage("use-log", page);

    // The same application and purpose asking again for other fields: the first request is replaced.
    await rig.openRequest({ ...passportRequest, fields: freshFields() });
    await page.goto(asked.consentUrl);
    await shown(page);
    await atPage("replaced-request", page);

    // A request opened 61 minutes ago (the engine's clock set back while it opens): unanswered for over an hour.
    rig.setClockOffset(-61 * 60_000);
    const late = await rig.openRequest({ ...passportRequest, fields: freshFields() }).finally(() => rig.setClockOffset(0));
    await page.goto(late.consentUrl);
    await shown(page);
    await atPage("expired-request", page);

    await page.goto(`${system.portalUrl}/consent/cns_AAAAAAAAAAAAAAAAAAAAAA`);
    await shown(page);
    await atPage("error-not-found", page);

    await page.goto(`${system.portalUrl}/my/accesses?before=not-a-time`);
    await shown(page);
    await atPage("error-bad-link", page);

    await page.goto(`${system.portalUrl}/language?lang=xx&return_to=%2F`);
    await shown(page);
    await atPage("error-unknown-language", page);
  } finally {
    await context.close();
  }
}
