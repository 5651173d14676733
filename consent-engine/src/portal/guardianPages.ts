/**
 * What the portal shows for guardian consent: the notice above a minor's request when their guardian answers it, the
 * page a minor sees for their own request (a guardian answers for them), and the label of a child's consent under
 * My consents ("For Chipo, your child").
 */
import { html, type SafeHtml } from "@ndx/platform";
import type { WardLink } from "../guardianship/guardianshipClient.ts";
import { firstName } from "./guardians.ts";
import type { SignedIn } from "./layout.ts";
import { messagePage } from "./pages.ts";
import type { Translator } from "./translator.ts";

export function onBehalfNotice(tr: Translator, ward: WardLink): SafeHtml {
  const name = firstName(ward);
  return html`<section class="notice on-behalf" role="note" aria-labelledby="on-behalf-h">
<h2 id="on-behalf-h">${tr.t("guardian.onBehalfTitle", { name })}</h2>
<p>${tr.t("guardian.onBehalfMessage", { name, basis: tr.t("guardian.household", { number: ward.householdNumber }) })}</p>
</section>`;
}

export function minorPage(tr: Translator, user: SignedIn): string {
  return messagePage(tr, tr.t("guardian.minorTitle"), tr.t("guardian.minorMessage"), { user, link: { href: "/my/consents", text: tr.t("common.goToMyConsents") } });
}

/** The label of a child's consent in a guardian's list. */
function forChildLabel(tr: Translator, ward: WardLink): SafeHtml {
  return html`<p class="for-whom"><strong>${tr.t("guardian.forChild", { name: firstName(ward) })}</strong></p>`;
}

/** My consents' additions for a guardian: each child's consent labelled, and a warning when the registry was away. */
export function childConsents(tr: Translator, wards: readonly WardLink[], unavailable: boolean): { forWhom: (c: { citizenId: string }) => SafeHtml | undefined; warning?: string } {
  const forWhom = (c: { citizenId: string }) => {
    const ward = wards.find((w) => w.nic === c.citizenId);
    return ward === undefined ? undefined : forChildLabel(tr, ward);
  };
  return unavailable ? { forWhom, warning: tr.t("guardian.wardsUnavailable") } : { forWhom };
}
