export * from "./callStats.ts";
export * from "./delay.ts";
export * from "./faults.ts";
export * from "./simulatorServer.ts";
export * from "./simulatorMetrics.ts";
