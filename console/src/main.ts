/** Starts the admin console: configuration, then the server on PORT. */
import { listen, loadShutdownConfig, runService, startTelemetry, traceNodeRequests } from "@ndx/platform";
import { loadConsoleConfig } from "./config.ts";
import { createConsole } from "./server.ts";

const config = loadConsoleConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
const { logger, tracing } = startTelemetry("console", config.LOG_LEVEL, config.tracing);

await runService("console", logger, async () => {
  const app = createConsole({
    publicUrl: config.CONSOLE_URL,
    oidc: { issuer: config.OIDC_ISSUER, clientId: config.CONSOLE_OIDC_CLIENT_ID, clientSecret: config.CONSOLE_OIDC_CLIENT_SECRET },
    gatewayUrl: config.GATEWAY_URL,
    gatewayAudience: config.GATEWAY_AUDIENCE,
    sessionSecret: config.CONSOLE_SESSION_SECRET,
    development: config.NDX_ENV === "development",
    sessionTtlSeconds: config.CONSOLE_SESSION_TTL_SECONDS,
    logger,
  });
  const handler = tracing === undefined ? app.nodeHandler : traceNodeRequests(app.nodeHandler, tracing);
  const http = await listen(handler, config.PORT, config.HOST, shutdown);
  logger.info({ url: http.url, public: config.CONSOLE_URL, issuer: config.OIDC_ISSUER, gateway: config.GATEWAY_URL }, "admin console listening");
  if (config.NDX_ENV === "development" && config.CONSOLE_SESSION_SECRET === "dev-console-session-secret") {
    logger.warn("using the development session secret (set CONSOLE_SESSION_SECRET outside development)");
  }
  return {
    async close() {
      await http.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
