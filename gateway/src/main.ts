/** Starts the gateway: configuration, supergraph, HTTP. */
import { readFileSync } from "node:fs";
import { createCallerAssertionSigner, createServiceMetrics, listen, runService, startTelemetry, tracingSummary } from "@ndx/platform";
import { createGatewayMetrics } from "./gatewayMetrics.ts";
import { loadGatewayConfig } from "./config.ts";
import { createAccessControl } from "./accessControl.ts";
import { createGateway } from "./gateway.ts";

const config = loadGatewayConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("gateway", config.LOG_LEVEL, config.tracing);

await runService("gateway", logger, async () => {
  const supergraphSdl = readFileSync(config.SUPERGRAPH_FILE, "utf8");
  const service = createServiceMetrics("gateway");
  const metrics = createGatewayMetrics(service);
  const access = config.ACCESS_CONTROL ? await createAccessControl({ config, supergraphSdl, logger, metrics, tracing }) : undefined;
  if (access === undefined) logger.warn("ACCESS_CONTROL=false: no authentication, consent, policy or audit");
  if (config.signing.generated) logger.warn({ kid: config.signing.key.kid }, "development: caller assertions signed with a key generated at this start");
  const gateway = await createGateway({
    supergraphSdl,
    plugins: access?.plugins ?? [],
    assertions: createCallerAssertionSigner(config.signing),
    metrics: { service, gateway: metrics },
    readiness: access?.readiness ?? {},
    subgraphUrls: config.subgraphUrls,
    graphiql: config.GRAPHIQL,
    limits: config.limits,
    corsOrigins: config.corsOrigins,
    subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    logger,
    tracing,
  });
  const http = await listen(gateway.yoga, config.PORT, config.HOST);
  logger.info({ url: `${http.url}/graphql`, subgraphs: gateway.routes, tracing: tracingSummary(config.tracing) }, "gateway listening");
  return {
    async close() {
      await http.close();
      await gateway.close();
      await access?.close();
      await tracing?.shutdown();
    },
  };
});
