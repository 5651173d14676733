/**
 * Composition of a set of subgraph SDLs with `@apollo/composition` (Federation 2), as `npm run compose` does for the
 * repository's files: the registry's check of a published version against the other active ones, and the supergraph
 * of each activation. Errors and hints are kept verbatim.
 */
import { createHash } from "node:crypto";
import { composeServices } from "@apollo/composition";
import { parse, type DocumentNode } from "graphql";

export interface SubgraphSdl {
  readonly name: string;
  readonly url: string;
  readonly sdl: string;
}

export type Composition =
  | { readonly ok: true; readonly supergraphSdl: string; readonly hash: string; readonly hints: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[]; readonly hints: readonly string[] };

/** sha256 of a supergraph SDL, hex: the version gateways report. */
const supergraphHash = (sdl: string): string => createHash("sha256").update(sdl).digest("hex");

/** Parses an SDL; a syntax error is returned as GraphQL's message, never thrown. */
export function parseSdl(sdl: string): { readonly document: DocumentNode } | { readonly error: string } {
  try {
    return { document: parse(sdl) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export function composeSubgraphs(subgraphs: readonly SubgraphSdl[]): Composition {
  const services = [];
  for (const s of subgraphs) {
    const parsed = parseSdl(s.sdl);
    if ("error" in parsed) return { ok: false, errors: [`[${s.name}] ${parsed.error}`], hints: [] };
    services.push({ name: s.name, url: s.url, typeDefs: parsed.document });
  }
  const result = composeServices(services);
  const hints = (result.hints ?? []).map((h) => h.toString());
  if (result.errors !== undefined) return { ok: false, errors: result.errors.map((e) => e.message), hints };
  // As the checked-in file is written (schema/src/compose.ts): the seed composes to the same hash.
  const supergraphSdl = `${result.supergraphSdl.trimEnd()}\n`;
  return { ok: true, supergraphSdl, hash: supergraphHash(supergraphSdl), hints };
}
