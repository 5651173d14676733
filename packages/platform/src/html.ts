/**
 * For server-rendered pages (the consent portal, the identity provider's sign-in): a tagged template that escapes
 * every interpolated value for HTML text and attribute context. Values that are already `SafeHtml` (the result of
 * another `html` template) are inserted as they are; arrays are joined.
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const replacements: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => replacements[ch] ?? ch);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a value renders as its own text (a URL's, a number's), escaped
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

/** Markup that is not user input (constant CSS, a library's own form), inserted without escaping. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
