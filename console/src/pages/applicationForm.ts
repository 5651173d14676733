/**
 * The application registration form: what the member administrator types, read into `registerApplication`'s input,
 * and, after a correctable refusal, the form again with what was typed, the refusal above it, and the field it names
 * marked invalid, described by the refusal and focused. Texts are registered in one language (English, French or
 * Arabic: the consent portal's languages) and may carry translations of the name and of each purpose's citizen text,
 * a fieldset per language; a language left empty falls back, visibly on the portal, to the registered text.
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { GatewayError } from "../gateway/gatewayClient.ts";
import { layout, tokenField, type Shell } from "./layout.ts";
import { problemBox, problemId } from "./problem.ts";

const purposeRows = 2;

/** The languages the consent portal speaks: what texts are registered in and translated into. */
export const textLanguages = [
  { tag: "en", name: "English", dir: "ltr" },
  { tag: "fr", name: "French", dir: "ltr" },
  { tag: "ar", name: "Arabic", dir: "rtl" },
] as const;

type Translation = { language: string; text: string };

/** The rows of purposes that were filled in (a code typed), by their position on the form. */
const usedPurposeRows = (form: URLSearchParams): number[] =>
  Array.from({ length: purposeRows }, (_, i) => i).filter((i) => (form.get(`purpose${i}-code`) ?? "").trim() !== "");

const translated = (form: URLSearchParams, field: (tag: string) => string): Translation[] =>
  textLanguages.map(({ tag }) => ({ language: tag, text: (form.get(field(tag)) ?? "").trim() })).filter((t) => t.text !== "");

/** `registerApplication`'s input from the form. Empty translations are left out. */
export function applicationInput(form: URLSearchParams): Record<string, unknown> {
  const purposes = usedPurposeRows(form).map((i) => {
    const translations = translated(form, (tag) => `tr-${tag}-purpose${i}`);
    return {
      code: (form.get(`purpose${i}-code`) ?? "").trim(),
      text: (form.get(`purpose${i}-text`) ?? "").trim(),
      legalBasis: (form.get(`purpose${i}-legalBasis`) ?? "").trim(),
      maxConsentDays: Number(form.get(`purpose${i}-maxConsentDays`) || 30),
      maxGrantDays: Number(form.get(`purpose${i}-maxGrantDays`) || 365),
      ...(translations.length === 0 ? {} : { translations }),
    };
  });
  const jwks = (form.get("jwks") ?? "").trim();
  const nameTranslations = translated(form, (tag) => `tr-${tag}-name`);
  return {
    member: (form.get("member") ?? "").trim(),
    name: (form.get("name") ?? "").trim(),
    description: (form.get("description") ?? "").trim(),
    language: textLanguages.some((l) => l.tag === form.get("language")) ? form.get("language") : "en",
    ...(nameTranslations.length === 0 ? {} : { nameTranslations }),
    redirectUris: (form.get("redirectUris") ?? "").split(/\r?\n/).map((u) => u.trim()).filter(Boolean),
    purposes,
    authMethod: form.get("authMethod") === "PRIVATE_KEY_JWT" ? "PRIVATE_KEY_JWT" : "CLIENT_SECRET_BASIC",
    ...(jwks === "" ? {} : { jwks }),
  };
}

/**
 * The id of the form control an exchange refusal's `field` names (e.g. `redirectUris[0]`, `purposes[1].legalBasis`,
 * `nameTranslations[0].text`), read against the form as it was sent; undefined when it names none.
 */
function controlOf(field: string | undefined, form: URLSearchParams): string | undefined {
  if (field === undefined) return undefined;
  const top = /^(member|name|description|language|redirectUris|authMethod|jwks)\b/.exec(field);
  if (top !== null) return top[1];
  const names = translated(form, (tag) => `tr-${tag}-name`);
  const name = /^nameTranslations(?:\[(\d+)\])?/.exec(field);
  if (name !== null) return `tr-${names[Number(name[1] ?? 0)]?.language ?? "fr"}-name`;
  const rows = usedPurposeRows(form);
  const purpose = /^purposes(?:\[(\d+)\](?:\.(code|text|legalBasis|maxConsentDays|maxGrantDays|translations)(?:\[(\d+)\])?)?)?/.exec(field);
  if (purpose === null) return undefined;
  const row = rows[Number(purpose[1] ?? 0)] ?? 0;
  const part = purpose[2] ?? "code";
  if (part !== "translations") return `purpose${row}-${part}`;
  const tags = translated(form, (tag) => `tr-${tag}-purpose${row}`);
  return `tr-${tags[Number(purpose[3] ?? 0)]?.language ?? "fr"}-purpose${row}`;
}

/** The registration form; after a correctable refusal, again with what was typed and the refusal above it. */
export function applicationForm(shell: Shell, token: string, values: URLSearchParams, error?: GatewayError): string {
  const v = (name: string) => values.get(name) ?? "";
  const invalid = error === undefined ? undefined : controlOf(error.field, values);
  /** A control's id and name, and when the refusal names it: invalid, described by the refusal, focused. */
  const control = (id: string): SafeHtml =>
    html`id="${id}" name="${id}"${id === invalid ? html` aria-invalid="true" aria-describedby="${problemId}" autofocus` : ""}`;
  const language = v("language") || "en";
  return layout("Register an application", html`<h1>Register an application</h1>
${error === undefined ? "" : problemBox(error, invalid)}
<form method="post" action="/applications" class="panel">
${tokenField(token)}
<label for="member">Member code</label><input ${control("member")} required value="${v("member")}">
<label for="name">Name</label><input ${control("name")} required value="${v("name")}">
<label for="description">What a citizen reads about it</label><textarea ${control("description")} rows="3" required>${v("description")}</textarea>
<label for="language">Language of the name and the texts citizens read</label>
<select ${control("language")}>${textLanguages.map((l) => html`<option value="${l.tag}"${l.tag === language ? html` selected` : ""}>${l.name} (${l.tag})</option>`)}</select>
<label for="redirectUris">Redirect URIs, one per line (exact match; https outside development)</label><textarea ${control("redirectUris")} rows="3">${v("redirectUris")}</textarea>
${Array.from({ length: purposeRows }, (_, i) => html`<fieldset><legend>Purpose ${i + 1}${i === 0 ? "" : " (optional)"}</legend>
<label for="purpose${i}-code">Code</label><input ${control(`purpose${i}-code`)}${i === 0 ? html` required` : ""} value="${v(`purpose${i}-code`)}">
<label for="purpose${i}-text">What citizens read</label><input ${control(`purpose${i}-text`)} value="${v(`purpose${i}-text`)}">
<label for="purpose${i}-legalBasis">Legal basis</label><input ${control(`purpose${i}-legalBasis`)} value="${v(`purpose${i}-legalBasis`)}">
<label for="purpose${i}-maxConsentDays">Longest consent (days)</label><input ${control(`purpose${i}-maxConsentDays`)} type="number" min="1" max="365" value="${v(`purpose${i}-maxConsentDays`) || "30"}">
<label for="purpose${i}-maxGrantDays">Longest field grant (days)</label><input ${control(`purpose${i}-maxGrantDays`)} type="number" min="1" max="1825" value="${v(`purpose${i}-maxGrantDays`) || "365"}">
</fieldset>`)}
<h2>Translations</h2>
<p class="note" id="translations-help">Optional. Leave a language empty and citizens reading it see the registered text, marked as being in its language. Leave empty the language the texts above are in.</p>
${textLanguages.map((l) => html`<fieldset class="translation"><legend>In ${l.name} (${l.tag})</legend>
<label for="tr-${l.tag}-name">Name in ${l.name}</label><input ${control(`tr-${l.tag}-name`)} lang="${l.tag}" dir="${l.dir}" value="${v(`tr-${l.tag}-name`)}">
${Array.from({ length: purposeRows }, (_, i) => html`<label for="tr-${l.tag}-purpose${i}">Purpose ${i + 1}: what citizens read, in ${l.name}</label><input ${control(`tr-${l.tag}-purpose${i}`)} lang="${l.tag}" dir="${l.dir}" value="${v(`tr-${l.tag}-purpose${i}`)}">`)}
</fieldset>`)}
<label for="authMethod">How it authenticates</label>
<select ${control("authMethod")}><option value="CLIENT_SECRET_BASIC">client secret (client_secret_basic)</option><option value="PRIVATE_KEY_JWT"${v("authMethod") === "PRIVATE_KEY_JWT" ? html` selected` : ""}>its own key (private_key_jwt)</option></select>
<label for="jwks">Public keys for private_key_jwt (a JWKS, JSON)</label><textarea ${control("jwks")} rows="3">${v("jwks")}</textarea>
<div class="actions"><button class="primary" type="submit">Register application</button></div>
</form>`, shell);
}
