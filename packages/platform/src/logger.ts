import { pino, type Logger } from "pino";
import { activeTraceFields } from "./tracing.ts";

export type { Logger };

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface LoggerOptions {
  /**
   * Every line written while a span is active carries its `traceId` and `spanId`. Turn on only with tracing (the
   * mixin runs for every line). @default false
   */
  readonly traceContext?: boolean;
}

/** JSON logs, one line per event. Never log personal data values or tokens. */
export function createLogger(service: string, level: LogLevel = "info", options: LoggerOptions = {}): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The line's own fields win over the mixin's (pino's default merge).
    ...(options.traceContext === true ? { mixin: activeTraceFields } : {}),
  });
}
