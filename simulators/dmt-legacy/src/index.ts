export * from "./config.ts";
export * from "./contract.ts";
export * from "./dmtFaults.ts";
export * from "./dmtLegacy.ts";
export * from "./dmtStore.ts";
export * from "./soapMessages.ts";
export * from "./wsdl.ts";
export * from "./wsSecurity.ts";
