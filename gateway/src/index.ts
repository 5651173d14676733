export * from "./config.ts";
export * from "./gateway.ts";
export * from "./supergraph.ts";
export * from "./subgraphSource.ts";
