export * from "./bundle.ts";
export * from "./decision.ts";
export * from "./decisionInput.ts";
export * from "./decisionMemo.ts";
export * from "./evaluator.ts";
export * from "./frozen.ts";
export * from "./opaCli.ts";
export * from "./paths.ts";
