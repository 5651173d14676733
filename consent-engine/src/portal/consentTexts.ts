/**
 * The registered texts a page shows about a consent or a record — the application's name and the purpose's text —
 * with their translations as last registered with the exchange (labels only: shown even while the register is stale).
 */
import type { ConsentService } from "../consentService.ts";
import { purposeOf } from "../register/applicationRegister.ts";
import { applicationName, purposeText, registeredLanguage, type RegisteredText } from "./registeredText.ts";

export interface ConsentTexts {
  readonly name: RegisteredText;
  readonly purpose: RegisteredText;
}

/**
 * @param name the name to show when the application is no longer registered (the consent's own copy)
 * @param text the purpose's text to show (the consent's own copy, or the register's)
 */
export function consentTexts(service: ConsentService, consumerId: string, purposeCode: string, name: string, text: string): ConsentTexts {
  const application = service.applications.lastKnown(consumerId);
  if (application === undefined) return { name: { text: name }, purpose: { text } };
  const purpose = purposeOf(application, purposeCode);
  return {
    name: applicationName(application),
    purpose: purpose === undefined ? { text, language: registeredLanguage(application) } : { ...purposeText(application, purpose), text },
  };
}
