export { createAuthority, loadOrCreateAuthority, type Authority } from "./authority.ts";
export { developmentPolicy } from "./timeStamp.ts";
export { startTimeStampingAuthority, type RunningTimeStampingAuthority, type TimeStampingAuthorityOptions } from "./server.ts";
export { loadTimeStampingAuthorityConfig } from "./config.ts";
