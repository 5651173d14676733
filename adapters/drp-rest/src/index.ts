export * from "./config.ts";
export * from "./context.ts";
export * from "./drpAdapter.ts";
export * from "./drpClient.ts";
