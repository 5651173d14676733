/** What the registry's resolvers work with beyond the person reads: registers, records, change requests. */
import type { Db } from "@ndx/platform";
import type { ChangeRequests } from "../changeRequests/changeRequests.ts";
import type { FieldCipher } from "../keys/fieldCipher.ts";
import type { RecordReader } from "../records/recordReader.ts";
import type { RegisterCatalogue } from "../registers/registerMetadata.ts";

export interface RegistryServices {
  readonly db: Db;
  readonly catalogue: RegisterCatalogue;
  readonly cipher: FieldCipher;
  readonly records: RecordReader;
  readonly changeRequests: ChangeRequests;
}
