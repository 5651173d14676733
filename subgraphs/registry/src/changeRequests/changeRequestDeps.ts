/** What the change-request workflow works with: the database, the registers, the cipher, the match index, the data keys. */
import type { Db } from "@ndx/platform";
import type { DataKeyRing } from "../keys/dataKeys.ts";
import type { ApplyDeps } from "./changeApplication.ts";

export interface ChangeRequestDeps extends ApplyDeps {
  readonly db: Db;
  readonly keys: DataKeyRing;
}
