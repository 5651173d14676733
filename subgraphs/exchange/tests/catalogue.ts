/** The repository's supergraph as a field catalogue, read once for all the tests of a file. */
import { supergraphFile } from "@ndx/schema";
import { loadFieldCatalogue } from "../src/index.ts";

export const catalogue = loadFieldCatalogue(supergraphFile);
