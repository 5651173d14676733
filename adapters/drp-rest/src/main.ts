/** Starts the DRP adapter subgraph. */
import { drpAdapter } from "./drpAdapter.ts";

await drpAdapter.start(process.env);
