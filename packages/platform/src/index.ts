export * from "./config.ts";
export * from "./db.ts";
export * from "./errors.ts";
export * from "./health.ts";
export * from "./logger.ts";
export * from "./migrate.ts";
export * from "./paths.ts";
export * from "./service.ts";
