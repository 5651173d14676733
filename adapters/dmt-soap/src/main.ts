/** Starts the DMT adapter subgraph. */
import { listen, runService, startTelemetry } from "@ndx/platform";
import { loadDmtAdapterConfig } from "./config.ts";
import { createDmtAdapter } from "./dmtAdapter.ts";

const config = loadDmtAdapterConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("dmt-soap", config.LOG_LEVEL, config.tracing);

await runService("dmt-soap", logger, async () => {
  const adapter = createDmtAdapter({
    baseUrl: config.DMT_LEGACY_URL,
    credentials: { username: config.DMT_LEGACY_USERNAME, password: config.DMT_LEGACY_PASSWORD },
    timeoutMs: config.DMT_LEGACY_TIMEOUT_MS,
    retries: config.DMT_LEGACY_RETRIES,
    breaker: { failureThreshold: config.DMT_LEGACY_BREAKER_FAILURES, resetAfterMs: config.DMT_LEGACY_BREAKER_RESET_MS },
    concurrency: config.DMT_LEGACY_CONCURRENCY,
    connections: config.DMT_LEGACY_CONNECTIONS,
    gatewayTrust: config.gatewayTrust,
    tracing,
    logger,
  });
  const http = await listen(adapter.yoga, config.PORT, config.HOST);
  logger.info({ url: `${http.url}/graphql`, upstream: config.DMT_LEGACY_URL }, "DMT adapter subgraph listening");
  return {
    async close() {
      await http.close();
      await adapter.close();
      await tracing?.shutdown();
    },
  };
});
