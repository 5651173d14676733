export * from "./config.ts";
export * from "./context.ts";
export * from "./dmtAdapter.ts";
export * from "./dmtClient.ts";
export * from "./inputs.ts";
