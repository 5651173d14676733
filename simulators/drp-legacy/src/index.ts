export * from "./config.ts";
export * from "./drpFaults.ts";
export * from "./drpLegacy.ts";
export * from "./drpStore.ts";
export * from "./openapi.ts";
export * from "./rateLimiter.ts";
