export * from "./config.ts";
export * from "./personStore.ts";
export * from "./seed.ts";
export * from "./server.ts";
export { migrationsDir } from "./migrations.ts";
