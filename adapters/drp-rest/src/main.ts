/** Starts the DRP adapter subgraph. */
import { listen, runService, startTelemetry } from "@ndx/platform";
import { loadDrpAdapterConfig } from "./config.ts";
import { createDrpAdapter } from "./drpAdapter.ts";

const config = loadDrpAdapterConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("drp-rest", config.LOG_LEVEL, config.tracing);

await runService("drp-rest", logger, async () => {
  const adapter = createDrpAdapter({
    baseUrl: config.DRP_LEGACY_URL,
    apiKey: config.DRP_LEGACY_API_KEY,
    timeoutMs: config.DRP_LEGACY_TIMEOUT_MS,
    retries: config.DRP_LEGACY_RETRIES,
    breaker: { failureThreshold: config.DRP_LEGACY_BREAKER_FAILURES, resetAfterMs: config.DRP_LEGACY_BREAKER_RESET_MS },
    connections: config.DRP_LEGACY_CONNECTIONS,
    batchSize: config.DRP_LEGACY_BATCH_SIZE,
    gatewayTrust: config.gatewayTrust,
    tracing,
    logger,
  });
  const http = await listen(adapter.yoga, config.PORT, config.HOST);
  logger.info({ url: `${http.url}/graphql`, upstream: config.DRP_LEGACY_URL }, "DRP adapter subgraph listening");
  return {
    async close() {
      await http.close();
      await adapter.close();
      await tracing?.shutdown();
    },
  };
});
