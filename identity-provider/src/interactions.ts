/**
 * Our sign-in page in place of oidc-provider's development interactions: GET shows the form, POST checks the
 * username and password against the fixtures' accounts. The interaction id in the path is bound to the provider's
 * interaction cookie, so a form posted from elsewhere cannot finish someone else's sign-in. Consent for our own
 * (first-party) clients is given at once: NDX's own consent is about data, and the portal asks for it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { AccountDirectory } from "./accounts.ts";
import { loginPage, messagePage } from "./pages.ts";
import { readForm, FormError } from "./formBody.ts";
import { localesFromAcceptLanguage, signInTexts } from "./signInTexts.ts";

export interface InteractionOptions {
  readonly provider: Provider;
  readonly accounts: AccountDirectory;
  /** Headers for every page we render (CSP, no-store, no framing). */
  readonly pageHeaders: Readonly<Record<string, string>>;
}

const route = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?$/;

/** An authorization parameter as text: oidc-provider keeps them as given, and one that is not a string is none. */
const stringParam = (value: unknown): string => (typeof value === "string" ? value : "");

export function matchInteraction(pathname: string): { uid: string; action: "show" | "login" | "abort" } | undefined {
  const m = route.exec(pathname);
  if (m === null || m[1] === undefined) return undefined;
  return { uid: m[1], action: m[2] === "login" ? "login" : m[2] === "abort" ? "abort" : "show" };
}

export async function handleInteraction(
  options: InteractionOptions,
  req: IncomingMessage,
  res: ServerResponse,
  match: { uid: string; action: "show" | "login" | "abort" },
): Promise<void> {
  const { provider, accounts } = options;
  const page = (status: number, body: string) => {
    res.writeHead(status, { ...options.pageHeaders, "content-type": "text/html; charset=utf-8" });
    res.end(body);
  };
  let details: Awaited<ReturnType<Provider["interactionDetails"]>>;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    // No interaction to read the application's ui_locales from: the browser's own languages.
    const t = signInTexts(localesFromAcceptLanguage(req.headers["accept-language"]));
    page(400, messagePage(t.expiredTitle, t.expiredMessage, t));
    return;
  }
  // The language the application asked for (OpenID Connect ui_locales), kept with the interaction.
  const texts = signInTexts(details.params["ui_locales"]);
  if (details.uid !== match.uid) {
    page(400, messagePage(texts.expiredTitle, texts.expiredMessage, texts));
    return;
  }
  const clientId = stringParam(details.params["client_id"]);
  const client = await provider.Client.find(clientId);
  const clientName = client?.clientName ?? clientId;

  if (match.action === "show" && req.method === "GET") {
    if (details.prompt.name === "login") {
      page(200, loginPage({ uid: details.uid, clientName, texts }));
      return;
    }
    await grantConsent(provider, req, res, details);
    return;
  }
  if (req.method !== "POST" || match.action === "show") {
    page(405, messagePage("Not allowed", "This page only answers the sign-in form."));
    return;
  }
  if (match.action === "abort") {
    await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "Sign-in was cancelled." },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (details.prompt.name !== "login") {
    page(409, messagePage("Already signed in", "Go back to the application and start again."));
    return;
  }
  let form: URLSearchParams;
  try {
    form = await readForm(req);
  } catch (error) {
    const message = error instanceof FormError ? error.message : "The form could not be read.";
    page(400, loginPage({ uid: details.uid, clientName, error: message, texts }));
    return;
  }
  const username = (form.get("username") ?? "").trim();
  const password = form.get("password") ?? "";
  const account = username === "" || password === "" ? undefined : accounts.authenticate(username, password);
  if (account === undefined) {
    page(
      401,
      loginPage({ uid: details.uid, clientName, username, error: texts.badCredentials, texts }),
    );
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
}

async function grantConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: Awaited<ReturnType<Provider["interactionDetails"]>>,
): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = stringParam(details.params["client_id"]);
  const grant =
    details.grantId === undefined
      ? new provider.Grant({ accountId: accountId ?? "", clientId })
      : ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId: accountId ?? "", clientId }));
  const missing = details.prompt.details;
  const scopes = missing["missingOIDCScope"];
  if (Array.isArray(scopes)) grant.addOIDCScope(scopes.join(" "));
  const claims = missing["missingOIDCClaims"];
  if (Array.isArray(claims)) grant.addOIDCClaims(claims.map(String));
  const resources = missing["missingResourceScopes"];
  if (typeof resources === "object" && resources !== null) {
    for (const [indicator, list] of Object.entries(resources)) {
      if (Array.isArray(list)) grant.addResourceScope(indicator, list.join(" "));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
