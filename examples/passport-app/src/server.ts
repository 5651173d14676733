/**
 * The passport office as an NDX consumer application, in four steps an app developer repeats in their own stack:
 * 1. `POST /apply`: ask the gateway for the applicant's data with the application's own token and purpose;
 * 2. on `CONSENT_REQUIRED`, send the citizen's browser to `consentUrl` with a registered `redirect_uri` and a
 *    single-use `state` (pendingConsents.ts), also set as a cookie;
 * 3. `GET /callback`: the portal brings the browser back with `consent_id`, `status` and `state`; check them;
 * 4. granted: ask again, and the same query now answers.
 */
import type { NodeHandler } from "@ndx/platform";
import { createServerAdapter } from "@whatwg-node/server";
import { askForApplicant, type Answer } from "./applicantQuery.ts";
import type { TokenSource } from "./accessToken.ts";
import type { PassportAppConfig } from "./config.ts";
import type { PendingConsents } from "./pendingConsents.ts";
import { applicantPage, applicationForm, problemPage } from "./pages.ts";

export interface PassportAppParts {
  readonly tokens: TokenSource;
  readonly pending: PendingConsents;
}

export interface PassportApp {
  fetch(request: Request): Promise<Response>;
  readonly nodeHandler: NodeHandler;
}

const stateCookie = "passport_state";
const maxFormBytes = 1024;

const cookieOf = (request: Request, name: string): string | undefined =>
  (request.headers.get("cookie") ?? "")
    .split(";")
    .map((part) => part.trim().split("="))
    .find(([key]) => key === name)?.[1];

/** The body as text, or undefined once it passes `maxFormBytes` (the rest is not read). */
async function formText(request: Request): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body === null) return "";
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const chunk = read.value;
    size += chunk.byteLength;
    if (size > maxFormBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The form's NIC, or why there is none. */
async function nicFrom(request: Request): Promise<{ nic: string } | { status: number; problem: string }> {
  if (!(request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) return { status: 415, problem: "Please use the form." };
  const text = await formText(request);
  if (text === undefined) return { status: 413, problem: "That form is too large." };
  const nic = new URLSearchParams(text).get("nic")?.trim();
  return nic !== undefined && /^\d{12}$/.test(nic) ? { nic } : { status: 400, problem: "A NIC number is 12 digits." };
}

export function createPassportApp(config: PassportAppConfig, parts: PassportAppParts): PassportApp {
  const callbackUrl = `${config.publicUrl}/callback`;
  const secure = config.publicUrl.startsWith("https:") ? "; Secure" : "";
  const ask = async (nic: string): Promise<Answer> =>
    askForApplicant(nic, { endpoint: `${config.gatewayUrl}/graphql`, token: await parts.tokens.get(), purpose: config.purpose });

  const show = (answer: Exclude<Answer, { kind: "consent-required" }>): Response =>
    answer.kind === "applicant" ? applicantPage(answer.applicant, answer.problems) : answer.kind === "not-found" ? problemPage("not-found") : problemPage("refused", answer.code);

  async function apply(request: Request): Promise<Response> {
    // A form posted from another site is not the applicant's own.
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== new URL(config.publicUrl).origin) return applicationForm("Please use this page's own form.", 403);
    const form = await nicFrom(request);
    if (!("nic" in form)) return applicationForm(form.problem, form.status);
    const answer = await ask(form.nic);
    if (answer.kind !== "consent-required") return show(answer);
    const target = URL.canParse(answer.consentUrl) ? new URL(answer.consentUrl) : undefined;
    if (target === undefined || !/^https?:$/.test(target.protocol)) return problemPage("refused", "BAD_CONSENT_URL");
    const state = parts.pending.open({ nic: form.nic, consentRequestId: answer.consentRequestId });
    target.searchParams.set("redirect_uri", callbackUrl);
    target.searchParams.set("state", state);
    return new Response(null, {
      status: 303,
      headers: { location: target.toString(), "set-cookie": `${stateCookie}=${state}; Path=/callback; Max-Age=900; HttpOnly; SameSite=Lax${secure}` },
    });
  }

  async function callback(url: URL, request: Request): Promise<Response> {
    const pending = parts.pending.take(url.searchParams.get("state") ?? "", cookieOf(request, stateCookie), url.searchParams.get("consent_id") ?? "");
    const status = url.searchParams.get("status");
    let response: Response;
    if (pending === undefined || (status !== "granted" && status !== "rejected")) response = problemPage("bad-return");
    else if (status === "rejected") response = problemPage("declined");
    else {
      const again = await ask(pending.nic);
      response = again.kind === "consent-required" ? problemPage("incomplete") : show(again);
    }
    response.headers.append("set-cookie", `${stateCookie}=; Path=/callback; Max-Age=0; HttpOnly; SameSite=Lax${secure}`);
    return response;
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /" || route === "HEAD /") return applicationForm();
    if (route === "POST /apply") return apply(request);
    if (route === "GET /callback") return callback(url, request);
    if (route === "GET /health") return Response.json({ status: "ok" });
    if (["/", "/apply", "/callback", "/health"].includes(url.pathname)) return new Response("Method not allowed", { status: 405 });
    return new Response("Not found", { status: 404 });
  }

  const fetch = async (request: Request): Promise<Response> => {
    try {
      return await handle(request);
    } catch {
      // The token or the gateway failed in a way askForApplicant does not cover (the identity provider down).
      return problemPage("refused", "UPSTREAM_UNAVAILABLE");
    }
  };
  const adapter = createServerAdapter(fetch);
  return { fetch, nodeHandler: (req, res) => void adapter(req, res) };
}
