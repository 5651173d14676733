/** What every group of portal routes works with: the consent rules, form tokens, the log, responses and visitors. */
import type { Logger } from "@ndx/platform";
import type { ConsentService } from "../consentService.ts";
import type { FormTokens } from "./formTokens.ts";
import type { PortalGuardians } from "./guardians.ts";
import type { PageResponses } from "./pageResponses.ts";
import type { Visitors } from "./visitors.ts";

export interface PortalParts extends PageResponses {
  readonly service: ConsentService;
  readonly formTokens: FormTokens;
  readonly logger: Logger;
  readonly visitors: Visitors;
  /** Who answers for a minor (guardian consent). */
  readonly guardians: PortalGuardians;
}
