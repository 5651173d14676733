/**
 * The fields a consent covers, grouped by agency, in the page's language: the catalogue's English labels translated
 * by messages/fields.json; a label without a translation (a field activated live, labelled by its SDL description)
 * is shown in English with `lang="en"` and the visible note.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { FieldCatalogue } from "../catalogue.ts";
import type { ScopeItem } from "../scope.ts";
import labels from "./messages/fields.json" with { type: "json" };
import { registeredText } from "./registeredText.ts";
import type { Translator } from "./translator.ts";

type Labels = Readonly<Record<string, { readonly providers: Readonly<Record<string, string>>; readonly fields: Readonly<Record<string, string>> }>>;
const translated: Labels = { fr: labels.fr, ar: labels.ar };

const asTranslation = (locale: string, text: string | undefined) => (text === undefined ? [] : [{ language: locale, text }]);

function providerName(tr: Translator, catalogue: FieldCatalogue, provider: string): SafeHtml {
  const text = translated[tr.locale]?.providers[provider];
  return registeredText(tr, { text: catalogue.providerLabel(provider), translations: asTranslation(tr.locale, text) });
}

function fieldName(tr: Translator, catalogue: FieldCatalogue, item: ScopeItem): SafeHtml {
  const text = translated[tr.locale]?.fields[`${item.provider} ${item.field}`];
  return registeredText(tr, { text: catalogue.fieldLabel(item), translations: asTranslation(tr.locale, text) });
}

/** The fields, grouped by agency (in the order given), under headings of `level`. */
export function fieldsGrouped(tr: Translator, catalogue: FieldCatalogue, fields: readonly ScopeItem[], level: 2 | 3 | 4 = 3): SafeHtml {
  const byProvider = new Map<string, ScopeItem[]>();
  for (const f of fields) byProvider.set(f.provider, [...(byProvider.get(f.provider) ?? []), f]);
  return html`${[...byProvider].map(([provider, list]) => {
    const title = tr.rich("fields.from", { provider: providerName(tr, catalogue, provider) });
    const heading = level === 2 ? html`<h2>${title}</h2>` : level === 3 ? html`<h3>${title}</h3>` : html`<h4>${title}</h4>`;
    return html`${heading}
<ul class="fields">${list.map((f) => html`<li>${fieldName(tr, catalogue, f)}</li>`)}</ul>`;
  })}`;
}
