/**
 * Where the browser goes after the citizen answers: the consumer's redirect URI (matched exactly against the ones
 * registered with the exchange) with consent_id, status and the consumer's own state.
 */
import type { RegisterApplication } from "../register/applicationRegister.ts";

/** Exact match only: no prefixes, no normalisation, so a registered URI cannot be stretched to another. */
export function isRegisteredRedirect(application: RegisterApplication, redirectUri: string): boolean {
  return application.redirectUris.includes(redirectUri);
}

export type ReturnStatus = "granted" | "rejected";

export function consumerReturnUrl(
  redirectUri: string,
  answer: { readonly consentId: string; readonly status: ReturnStatus; readonly state?: string | undefined },
): string {
  const url = new URL(redirectUri);
  url.searchParams.set("consent_id", answer.consentId);
  url.searchParams.set("status", answer.status);
  if (answer.state !== undefined) url.searchParams.set("state", answer.state);
  return url.toString();
}

/** The consumer's `state`: opaque to us, but bounded and printable. */
export function isAcceptableState(state: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  return state.length <= 512 && !/[\u0000-\u001f\u007f]/.test(state);
}
