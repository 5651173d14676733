/** Starts the development time-stamping authority: configuration, its CA and TSA certificate, HTTP. */
import { createLogger, loadShutdownConfig, runService } from "@ndx/platform";
import { loadOrCreateAuthority } from "./authority.ts";
import { loadTimeStampingAuthorityConfig } from "./config.ts";
import { startTimeStampingAuthority } from "./server.ts";

const config = loadTimeStampingAuthorityConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
const logger = createLogger("time-stamping-authority", config.LOG_LEVEL);

await runService("time-stamping-authority", logger, async () => {
  if (config.NDX_ENV === "production") {
    throw new Error("the development time-stamping authority must not run in production; configure AUDIT_TSA_URL with a real TSA");
  }
  const authority = await loadOrCreateAuthority(config.TSA_DATA_DIR);
  const running = await startTimeStampingAuthority({ authority, logger, port: config.PORT, host: config.HOST });
  logger.info({ url: running.url, dataDir: config.TSA_DATA_DIR, certificates: authority.created ? "generated" : "reused" }, "time-stamping authority listening");
  return running;
}, shutdown);
