/** What the gateway refused, as a box on a page: its code, its message and the policy's reasons, escaped. */
import { html, type SafeHtml } from "@ndx/platform";
import type { GatewayError } from "../gateway/gatewayClient.ts";

export function problemBox(error: GatewayError): SafeHtml {
  return html`<div class="problem" role="alert">
  <p><span class="code">${error.code}</span> ${error.message}</p>
  ${error.reasons.length === 0 ? "" : html`<ul class="reasons">${error.reasons.map((r) => html`<li>${r}</li>`)}</ul>`}
</div>`;
}

/** The refusals a form is shown again for, with what was typed: the person can correct it. */
export const correctable = (error: GatewayError): boolean => error.code === "BAD_USER_INPUT" || error.code === "CONFLICT";
