/**
 * A service's logger and tracing, decided once at start-up from its configuration: with tracing off no span is ever
 * made and no plugin or wrapper needs installing; with it on, every log line written inside a request carries the
 * trace and span ids, and one line says where the spans go.
 */
import { createLogger, type Logger, type LogLevel } from "./logger.ts";
import { startTracing, tracingSummary, type Tracing, type TracingOptions } from "./tracing.ts";

export interface ServiceTelemetry {
  readonly logger: Logger;
  /** Undefined when tracing is off. */
  readonly tracing: Tracing | undefined;
}

export function startTelemetry(service: string, level: LogLevel, tracing: TracingOptions | undefined): ServiceTelemetry {
  const logger = createLogger(service, level, { traceContext: tracing !== undefined });
  if (tracing === undefined) return { logger, tracing: undefined };
  const started = startTracing(tracing);
  logger.info({ tracing: tracingSummary(tracing) }, "tracing on");
  return { logger, tracing: started };
}
