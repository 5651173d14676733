/**
 * The passport office's pages: the application form, the applicant's details as NDX returned them, and what went
 * wrong in words an applicant understands. Every value is escaped (`html`). No `form-action` in the CSP: the form's
 * answer redirects to the consent portal, which Chromium counts against it.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { Applicant } from "./applicantQuery.ts";

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;font-weight:600}input{font:inherit;padding:.4rem;margin:.3rem 0 1rem;width:14rem}
button{font:inherit;padding:.5rem 1rem}dt{font-weight:600}dd{margin:0 0 .7rem}.note{background:#fff4ce;padding:.6rem}`;

function page(title: string, body: SafeHtml, status = 200): Response {
  const document = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Passport Office</title><style>${style}</style></head>
<body><header><p>Department of Immigration and Emigration — Passport Office (an example NDX application)</p></header>
<main><h1>${title}</h1>${body}</main></body></html>`;
  return new Response(document.value, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" },
  });
}

export const applicationForm = (problem?: string, status = 200): Response =>
  page(
    "Apply for a passport",
    html`<p>We ask the civil registry, the residents' register and the motor transport register for your details,
with your consent, so that you do not have to bring certificates.</p>
${problem === undefined ? "" : html`<p class="note" role="alert">${problem}</p>`}
<form method="post" action="/apply"><label for="nic">Your NIC number</label>
<input id="nic" name="nic" inputmode="numeric" autocomplete="off" pattern="[0-9]{12}" required>
<button type="submit">Continue</button></form>`,
    status,
  );

export const applicantPage = (applicant: Applicant, problems: readonly string[]): Response =>
  page(
    "Your details",
    html`<dl><dt>Full name</dt><dd>${applicant.fullName}</dd><dt>Date of birth</dt><dd>${applicant.dateOfBirth}</dd>
<dt>Permanent address</dt><dd>${applicant.permanentAddress ?? "not available"}</dd>
<dt>Vehicles you own</dt><dd>${
      applicant.vehicles === null ? "not available" : applicant.vehicles.length === 0 ? "none" : applicant.vehicles.map((v) => v.regNo).join(", ")
    }</dd></dl>
${problems.length === 0 ? "" : html`<p class="note">Some registers did not answer (${problems.join(", ")}); we will ask them again later.</p>`}
<p><a href="/">Start another application</a></p>`,
  );

/** Why there is nothing to show, by the gateway's code, with its status for this page. */
export function problemPage(what: "declined" | "incomplete" | "not-found" | "bad-return" | "refused", code?: string): Response {
  switch (what) {
    case "declined":
      return page("You did not agree", html`<p>Without your consent we cannot look up your details. You can bring your certificates to the office instead.</p><p><a href="/">Back</a></p>`);
    case "incomplete":
      return page("Your consent does not cover everything", html`<p>Some of the details we need are still not covered. Please start again to see the request.</p><p><a href="/">Start again</a></p>`);
    case "not-found":
      return applicationForm("No one is registered with that NIC number.", 404);
    case "bad-return":
      return page("This link is not valid", html`<p>It was already used, has expired, or was opened in another browser. Please start again.</p><p><a href="/">Start again</a></p>`, 400);
    case "refused":
      return page("We could not get your details", html`<p>Please try again in a moment. (${code ?? "ERROR"})</p><p><a href="/">Back</a></p>`, 502);
  }
}
