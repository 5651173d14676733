/** What the resolvers work with, opened once at start-up. */
import type { Db } from "@ndx/platform";
import type { Applications } from "../applications/applications.ts";
import type { FieldCatalogue } from "../catalogue/fieldCatalogue.ts";
import type { GrantRequests } from "../grants/grantRequests.ts";
import type { ChangeDeps } from "../history/changes.ts";
import type { Members } from "../members/members.ts";
import type { SchemaRegistry } from "../schemaRegistry/schemaRegistry.ts";

export interface ExchangeServices {
  readonly db: Db;
  readonly changes: ChangeDeps;
  readonly catalogue: FieldCatalogue;
  readonly members: Members;
  readonly applications: Applications;
  readonly grantRequests: GrantRequests;
  readonly schemaRegistry: SchemaRegistry;
}
