/**
 * Changing the translations of an application's registered texts after registration (issue 22): its name's, and
 * those of the purposes it names (a purpose not named keeps its own). The registered texts and their language do not
 * change here. Checked as at registration (applications/translations.ts); one transaction with its history entry,
 * and the register moves, so followers show the new translations on their next page.
 */
import { badInput } from "../errors.ts";
import { recordChange, type AuditEntry, type ChangeDeps } from "../history/changes.ts";
import { atMost, limits } from "../inputChecks.ts";
import { requireMemberAdmin, type Scope } from "../members/scope.ts";
import { applicationSnapshot, applicationStore, type Application } from "./applicationStore.ts";
import { checkTranslations, type Translation } from "./translations.ts";

export interface ApplicationTranslationsInput {
  /** The name's translations, replacing the ones it has; null or absent: unchanged. */
  readonly nameTranslations?: readonly Translation[] | null;
  /** Per purpose named by its code: its text's translations, replacing the ones it has. @default [] */
  readonly purposes?: readonly { readonly code: string; readonly translations: readonly Translation[] }[] | null;
}

type Request = { readonly scope: Scope; readonly audit: AuditEntry[] };

/** @param visible the application if the caller may see it (NOT_FOUND otherwise). */
export function createTranslationSetter(deps: ChangeDeps, visible: (scope: Scope, id: string) => Promise<Application>) {
  return async function setTranslations(request: Request, id: string, input: ApplicationTranslationsInput): Promise<Application> {
    const app = await visible(request.scope, id);
    requireMemberAdmin(request.scope, app.member, "translate an application's texts");
    const nameTranslations =
      input.nameTranslations === null || input.nameTranslations === undefined
        ? undefined
        : checkTranslations(input.nameTranslations, "nameTranslations", limits.name, app.language);
    const named = atMost(input.purposes ?? [], "purposes", limits.purposes);
    const codes = new Set((await applicationStore.purposesOf(deps.db, [id])).map((p) => p.code));
    const purposes = named.map((p, i) => {
      if (!codes.has(p.code)) throw badInput(`purposes[${i}].code: ${id} has no purpose ${p.code}`, { field: `purposes[${i}].code` });
      return { code: p.code, translations: checkTranslations(p.translations, `purposes[${i}].translations`, limits.text, app.language) };
    });
    if (new Set(purposes.map((p) => p.code)).size !== purposes.length) throw badInput("purposes names a purpose twice", { field: "purposes" });
    return recordChange(deps, request, "setApplicationTranslations", async (tx) => {
      const before = await applicationSnapshot(tx, id);
      await applicationStore.setTranslations(tx, id, nameTranslations, purposes);
      const after = await applicationSnapshot(tx, id);
      const changed = await applicationStore.get(tx, id);
      if (changed === undefined) throw new Error("the application just written is not there");
      return { result: changed, target: `application:${id}`, before, after };
    });
  };
}
