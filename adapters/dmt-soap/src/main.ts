/** Starts the DMT adapter subgraph. */
import { createLogger, listen, runService, startTracing, tracingSummary } from "@ndx/platform";
import { loadDmtAdapterConfig } from "./config.ts";
import { createDmtAdapter } from "./dmtAdapter.ts";

const config = loadDmtAdapterConfig(process.env);
const logger = createLogger("dmt-soap", config.LOG_LEVEL, { traceContext: config.tracing !== undefined });
// Decided once: with tracing off no plugin is registered and no span is made.
const tracing = config.tracing === undefined ? undefined : startTracing(config.tracing);
if (config.tracing !== undefined) logger.info({ tracing: tracingSummary(config.tracing) }, "tracing on");

await runService("dmt-soap", logger, async () => {
  const adapter = createDmtAdapter({
    baseUrl: config.DMT_LEGACY_URL,
    credentials: { username: config.DMT_LEGACY_USERNAME, password: config.DMT_LEGACY_PASSWORD },
    timeoutMs: config.DMT_LEGACY_TIMEOUT_MS,
    retries: config.DMT_LEGACY_RETRIES,
    breaker: { failureThreshold: config.DMT_LEGACY_BREAKER_FAILURES, resetAfterMs: config.DMT_LEGACY_BREAKER_RESET_MS },
    concurrency: config.DMT_LEGACY_CONCURRENCY,
    connections: config.DMT_LEGACY_CONNECTIONS,
    graphiql: config.GRAPHIQL,
    gatewayToken: config.SUBGRAPH_TOKEN,
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
