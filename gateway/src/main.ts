/** Starts the gateway: configuration, supergraph, HTTP. */
import { readFileSync } from "node:fs";
import { createCallerAssertionSigner, createServiceMetrics, listen, loadShutdownConfig, runService, startTelemetry, tracingSummary } from "@ndx/platform";
import { createGatewayMetrics } from "./gatewayMetrics.ts";
import { loadGatewayConfig } from "./config.ts";
import { createAccessControl } from "./accessControl.ts";
import { createGateway } from "./gateway.ts";
import { createSupergraphFollower } from "./supergraphFollower.ts";
import { createSupergraphSnapshots, supergraphHash } from "./supergraphSnapshots.ts";

const config = loadGatewayConfig(process.env);
const shutdown = loadShutdownConfig(process.env);
// Decided once: with tracing off nothing is installed and no span is made.
const { logger, tracing } = startTelemetry("gateway", config.LOG_LEVEL, config.tracing);

await runService("gateway", logger, async () => {
  // The schema registry's active supergraph once the exchange answers; the checked-in file until then (and offline).
  const supergraphs =
    config.EXCHANGE_URL === undefined ? undefined : createSupergraphFollower({ url: config.EXCHANGE_URL, serviceToken: config.EXCHANGE_SERVICE_TOKEN, logger });
  const active = await supergraphs?.poll();
  const supergraphSdl = active?.sdl ?? readFileSync(config.SUPERGRAPH_FILE, "utf8");
  const snapshots = createSupergraphSnapshots();
  const fileHash = supergraphHash(supergraphSdl);
  const service = createServiceMetrics("gateway");
  const metrics = createGatewayMetrics(service);
  const access = config.ACCESS_CONTROL ? await createAccessControl({ config, supergraphSdl, logger, metrics, tracing, catalogueOf: snapshots.catalogueOf }) : undefined;
  if (access === undefined) logger.warn("ACCESS_CONTROL=false: no authentication, consent, policy or audit");
  if (config.signing.generated) logger.warn({ kid: config.signing.key.kid }, "development: caller assertions signed with a key generated at this start");
  const gateway = await createGateway({
    supergraphSdl,
    snapshots,
    ...(supergraphs === undefined
      ? {}
      : {
          supergraphUpdates: { subscribe: (listener: (sdl: string) => void) => supergraphs.subscribe((s) => listener(s.sdl)) },
          served: () => {
            const held = supergraphs.current;
            return held === undefined
              ? { hash: fileHash, position: 0, versions: {}, activatedAt: null, source: "file" as const }
              : { hash: held.hash, position: held.position, versions: held.versions, activatedAt: held.activatedAt, source: "registry" as const };
          },
        }),
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
  const http = await listen(gateway.yoga, config.PORT, config.HOST, shutdown);
  logger.info({ url: `${http.url}/graphql`, subgraphs: gateway.routes, tracing: tracingSummary(config.tracing) }, "gateway listening");
  return {
    async close() {
      supergraphs?.close();
      await http.close();
      await gateway.close();
      await access?.close();
      await tracing?.shutdown();
    },
  };
}, shutdown);
