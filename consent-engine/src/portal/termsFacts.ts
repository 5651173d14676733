/**
 * A consent's terms in plain words (issue 18), as `<dt>`/`<dd>` pairs of a facts list, in the page's language: when
 * it can first be used, how often, how long the application may keep what it reads, and the purpose's code (its text
 * is given by the caller: on the consent page, as registered now).
 */
import { html, type SafeHtml } from "@ndx/platform";
import { parseTerms, type Terms } from "../consentTerms.ts";
import type { ConsentView } from "../consentView.ts";
import type { Translator } from "./translator.ts";

/** How often: "Once only", "Up to 3 times a day", "As often as needed while the consent lasts". */
export function frequencyText(tr: Translator, terms: Terms): string {
  if (terms.fetchType === "ONETIME") return tr.t("terms.once");
  if (terms.frequency === null) return tr.t("terms.unlimited");
  return tr.t("terms.frequency", { count: terms.frequency.value, unit: terms.frequency.unit });
}

/** How long the application may keep what it read. */
export function dataLifeText(tr: Translator, terms: Terms): string {
  return terms.dataLife === null ? tr.t("terms.keepWhileConsent") : tr.t("terms.keepFor", { count: terms.dataLife.value, unit: terms.dataLife.unit });
}

export function termsFacts(tr: Translator, consent: ConsentView): SafeHtml {
  const terms = parseTerms(consent.terms);
  const start = terms.start === null ? tr.t("terms.fromAllow") : tr.t("terms.notBefore", { date: tr.date(terms.start.toISOString()) });
  return html`<dt>${tr.t("terms.startLabel")}</dt><dd>${start}</dd>
  <dt>${tr.t("terms.frequencyLabel")}</dt><dd>${frequencyText(tr, terms)}</dd>
  <dt>${tr.t("terms.keepLabel")}</dt><dd>${dataLifeText(tr, terms)}</dd>
  <dt>${tr.t("terms.codeLabel")}</dt><dd>${consent.purpose}</dd>`;
}
