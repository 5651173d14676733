/**
 * A consent's terms in plain words (issue 18), as `<dt>`/`<dd>` pairs of a facts list: when it can first be used,
 * how often, how long the application may keep what it reads, and the purpose's code (its text is given by the
 * caller: on the consent page, as registered now).
 */
import { html, type SafeHtml } from "@ndx/platform";
import { dataLifeWords, frequencyWords, parseTerms } from "../consentTerms.ts";
import type { ConsentView } from "../consentView.ts";
import { formatDate } from "./readableDate.ts";

export function termsFacts(consent: ConsentView): SafeHtml {
  const terms = parseTerms(consent.terms);
  const start = terms.start === null ? "From when you allow it" : `Not before ${formatDate(terms.start.toISOString())}`;
  return html`<dt>Purpose code</dt><dd>${consent.purpose}</dd>
  <dt>From when</dt><dd>${start}</dd>
  <dt>How often</dt><dd>${frequencyWords(terms)}</dd>
  <dt>How long they may keep it</dt><dd>${dataLifeWords(terms)}</dd>`;
}
