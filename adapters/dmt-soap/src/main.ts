/** Starts the DMT adapter subgraph. */
import { dmtAdapter } from "./dmtAdapter.ts";

await dmtAdapter.start(process.env);
