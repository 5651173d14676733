export * from "./config.ts";
export * from "./server.ts";
export * from "./auth/oidcLogin.ts";
export * from "./gateway/auditSummary.ts";
export * from "./gateway/gatewayClient.ts";
export * from "./http/sessions.ts";
export * from "./http/formTokens.ts";
