/**
 * The supergraph a request is decided and executed against, as one snapshot: for every API schema the gateway has
 * served (each swap makes a new GraphQLSchema object), the field catalogue built from the same supergraph SDL and its
 * hash. A request validated against a schema is decided with that schema's catalogue (useAccess's `catalogueOf`) and
 * executed only while that schema is still the gateway's (supergraphExecution.ts). Kept in a WeakMap: a schema no
 * request holds any more is forgotten with its catalogue.
 */
import { createHash } from "node:crypto";
import type { GraphQLSchema } from "graphql";
import { buildFieldCatalogue, type FieldCatalogue } from "./access/fieldCatalogue.ts";

export interface SupergraphSnapshot {
  readonly hash: string;
  readonly catalogue: FieldCatalogue;
}

export interface SupergraphSnapshots {
  /** Told by the gateway of each schema it loads or swaps to, with the supergraph SDL it came from. */
  add(schema: GraphQLSchema, supergraphSdl: string): SupergraphSnapshot;
  of(schema: GraphQLSchema): SupergraphSnapshot | undefined;
  /** The catalogue of a schema, for the access decision. */
  catalogueOf(schema: GraphQLSchema): FieldCatalogue | undefined;
}

export const supergraphHash = (sdl: string): string => createHash("sha256").update(sdl).digest("hex");

export function createSupergraphSnapshots(): SupergraphSnapshots {
  const snapshots = new WeakMap<GraphQLSchema, SupergraphSnapshot>();
  // The same SDL (a rollback to it) reuses its catalogue.
  let last: { sdl: string; snapshot: SupergraphSnapshot } | undefined;
  return {
    add(schema, supergraphSdl) {
      const snapshot = last?.sdl === supergraphSdl ? last.snapshot : { hash: supergraphHash(supergraphSdl), catalogue: buildFieldCatalogue(supergraphSdl) };
      last = { sdl: supergraphSdl, snapshot };
      snapshots.set(schema, snapshot);
      return snapshot;
    },
    of: (schema) => snapshots.get(schema),
    catalogueOf: (schema) => snapshots.get(schema)?.catalogue,
  };
}
