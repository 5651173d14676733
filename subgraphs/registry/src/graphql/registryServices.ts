/** What the registry's resolvers work with beyond the person reads: registers, records, change requests. */
import type { Db } from "@ndx/platform";
import type { ChangeRequests } from "./changeRequests.ts";
import type { FieldCipher } from "./fieldCipher.ts";
import type { RecordReader } from "./recordReader.ts";
import type { RegisterCatalogue } from "./registerMetadata.ts";

export interface RegistryServices {
  readonly db: Db;
  readonly catalogue: RegisterCatalogue;
  readonly cipher: FieldCipher;
  readonly records: RecordReader;
  readonly changeRequests: ChangeRequests;
}
