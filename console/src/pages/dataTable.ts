/**
 * A table of the console's pages: captioned, column headers scoped, and inside a region that scrolls sideways on its
 * own when the table is wider than the screen (WCAG 1.4.10 reflow: at 320 CSS px the page itself never scrolls
 * sideways). The region is focusable, so it scrolls by keyboard too, and named by the table's caption. A table with
 * no rows says so in one row rather than leaving headers over nothing.
 */
import { html, type SafeHtml } from "@ndx/platform";

export interface DataTable {
  /** The table's id, unique on its page; its caption's id is `<id>-caption`. */
  readonly id: string;
  /** @default none */
  readonly className?: string;
  readonly caption: SafeHtml | string;
  readonly columns: readonly (SafeHtml | string)[];
  /** The body's rows, each a whole `<tr>`. */
  readonly rows: readonly SafeHtml[];
  /** What the one row of an empty table says. @default "None." */
  readonly empty?: string;
}

export function dataTable(t: DataTable): SafeHtml {
  const captionId = `${t.id}-caption`;
  return html`<div class="table-scroll" role="region" tabindex="0" aria-labelledby="${captionId}">
<table id="${t.id}"${t.className === undefined ? "" : html` class="${t.className}"`}>
<caption id="${captionId}">${t.caption}</caption>
<thead><tr>${t.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${t.rows.length === 0 ? html`<tr><td colspan="${t.columns.length}">${t.empty ?? "None."}</td></tr>` : t.rows}</tbody>
</table></div>`;
}
