/**
 * `GET /schema/versions`: the supergraph this replica serves — its hash, the registry's activation it came from
 * (`position`; 0 is the checked-in file, before the registry answered) and each subgraph's version number. Open, like
 * the schema itself; the registry's whole history is the `schemaVersions` query.
 */
import { methodNotAllowed } from "@ndx/platform";
import type { Plugin } from "graphql-yoga";

const schemaVersionsPath = "/schema/versions";

export interface ServedSupergraph {
  readonly hash: string;
  readonly position: number;
  readonly versions: Readonly<Record<string, number>>;
  readonly activatedAt: string | null;
  readonly source: "registry" | "file";
}

export function useSchemaVersions(served: () => ServedSupergraph): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== schemaVersionsPath) return;
      if (request.method !== "GET") return endResponse(methodNotAllowed("GET"));
      endResponse(Response.json(served(), { headers: { "cache-control": "no-store" } }));
    },
  };
}
