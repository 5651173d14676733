/**
 * Changing an application's translations after registration (its member's administrators; `setApplicationTranslations`):
 * a fieldset per language of the portal other than the registered one, filled with the translations it has. A field
 * left empty removes that translation (the portal then shows the registered text, marked as such); translations into
 * other languages, set through the API, are kept as they are.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { ApplicationView, TranslationView } from "../gateway/operations.ts";
import { textLanguages } from "./applicationForm.ts";
import { tokenField } from "./layout.ts";

const fieldOf = (tag: string, purpose?: number) => (purpose === undefined ? `tr-${tag}-name` : `tr-${tag}-purpose${purpose}`);
const textIn = (list: readonly TranslationView[], tag: string) => list.find((t) => t.language === tag)?.text ?? "";

/** The languages of the form: the portal's, but the one the texts are registered in. */
const formLanguages = (a: ApplicationView) => textLanguages.filter((l) => l.tag !== a.language);

export function translationsForm(a: ApplicationView, action: string, token: string): SafeHtml {
  return html`<form method="post" action="${action}" class="panel">${tokenField(token)}
<p class="note">Leave a field empty and citizens reading that language see the registered text, marked as being in its language.</p>
${formLanguages(a).map((l) => html`<fieldset class="translation"><legend>In ${l.name} (${l.tag})</legend>
<label for="${fieldOf(l.tag)}">Name in ${l.name}</label><input id="${fieldOf(l.tag)}" name="${fieldOf(l.tag)}" lang="${l.tag}" dir="${l.dir}" value="${textIn(a.nameTranslations, l.tag)}">
${a.purposes.map((p, i) => html`<label for="${fieldOf(l.tag, i)}">Purpose <code>${p.code}</code>: what citizens read, in ${l.name}</label><input id="${fieldOf(l.tag, i)}" name="${fieldOf(l.tag, i)}" lang="${l.tag}" dir="${l.dir}" value="${textIn(p.translations, l.tag)}">`)}
</fieldset>`)}
<div class="actions"><button class="primary" type="submit">Save translations</button></div>
</form>`;
}

/** `setApplicationTranslations`' arguments: the form's languages from the form, every other language as it is. */
export function translationsInput(a: ApplicationView, form: URLSearchParams): Record<string, unknown> {
  const shown = new Set<string>(formLanguages(a).map((l) => l.tag));
  const merge = (current: readonly TranslationView[], field: (tag: string) => string): TranslationView[] => [
    ...current.filter((t) => !shown.has(t.language)),
    ...[...shown].map((tag) => ({ language: tag, text: (form.get(field(tag)) ?? "").trim() })).filter((t) => t.text !== ""),
  ];
  return {
    id: a.id,
    nameTranslations: merge(a.nameTranslations, (tag) => fieldOf(tag)),
    purposes: a.purposes.map((p, i) => ({ code: p.code, translations: merge(p.translations, (tag) => fieldOf(tag, i)) })),
  };
}
