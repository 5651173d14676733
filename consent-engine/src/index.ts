export * from "./apiError.ts";
export * from "./catalogue.ts";
export * from "./config.ts";
export * from "./consentService.ts";
export * from "./consumerStore.ts";
export * from "./revisionFeed.ts";
export * from "./scope.ts";
export * from "./server.ts";
export { migrationsDir } from "./migrations.ts";
