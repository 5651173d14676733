/**
 * What the gateway refused, as a box on a page: its code, its message and the policy's reasons, escaped. It is an
 * alert (announced when the page shows it); on a form, the control the refusal names points back to it with
 * `aria-describedby`, and the box links to that control.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { GatewayError } from "../gateway/gatewayClient.ts";

/** The id of the refusal box: what the invalid control is described by. */
export const problemId = "problem";

/** @param control the id of the form control the refusal is about, when there is one on the page. */
export function problemBox(error: GatewayError, control?: string): SafeHtml {
  return html`<div class="problem" role="alert" id="${problemId}">
  <p><span class="code">${error.code}</span> ${error.message}</p>
  ${error.reasons.length === 0 ? "" : html`<ul class="reasons">${error.reasons.map((r) => html`<li>${r}</li>`)}</ul>`}
  ${control === undefined ? "" : html`<p><a href="#${control}">Go to the field to correct</a></p>`}
</div>`;
}

/** The refusals a form is shown again for, with what was typed: the person can correct it. */
export const correctable = (error: GatewayError): boolean => error.code === "BAD_USER_INPUT" || error.code === "CONFLICT";
