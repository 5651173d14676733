/**
 * Composition of the supergraph from the subgraph SDLs listed in `schema/subgraphs.json`, with
 * `@apollo/composition` (Federation 2). The result is checked in as `schema/supergraph.graphql`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

export const schemaDir: string = resolve(import.meta.dirname, "..");
export const supergraphFile: string = resolve(schemaDir, "supergraph.graphql");

export interface SubgraphEntry {
  /** The subgraph's name in the supergraph (the `join__Graph` value), e.g. `registry`. */
  readonly name: string;
  /** Path of its SDL, relative to `schema/`. */
  readonly sdl: string;
  /** Default routing URL. */
  readonly url: string;
}

export function listSubgraphs(): SubgraphEntry[] {
  const file = JSON.parse(readFileSync(resolve(schemaDir, "subgraphs.json"), "utf8")) as {
    subgraphs: SubgraphEntry[];
  };
  return file.subgraphs;
}

/** The SDL of one subgraph: the contract its implementation serves. */
export function subgraphSdl(name: string): string {
  const entry = listSubgraphs().find((s) => s.name === name);
  if (entry === undefined) throw new Error(`unknown subgraph ${name}`);
  return readFileSync(resolve(schemaDir, entry.sdl), "utf8");
}

export class CompositionError extends Error {
  override name = "CompositionError";
}

export function composeSupergraph(subgraphs: readonly SubgraphEntry[] = listSubgraphs()): string {
  const result = composeServices(
    subgraphs.map((s) => ({
      name: s.name,
      url: s.url,
      typeDefs: parse(readFileSync(resolve(schemaDir, s.sdl), "utf8")),
    })),
  );
  if (result.errors !== undefined) {
    throw new CompositionError(
      `Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join("\n")}`,
    );
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}

export function readSupergraph(): string {
  return readFileSync(supergraphFile, "utf8");
}
