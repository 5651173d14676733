export * from "./accounts.ts";
export * from "./config.ts";
export * from "./keys.ts";
export * from "./provider.ts";
export * from "./server.ts";
export * from "./identityMetrics.ts";
export * from "./registration.ts";
export * from "./clientStore.ts";
