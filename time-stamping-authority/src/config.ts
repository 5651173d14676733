import { resolve } from "node:path";
import { defaultDataDir, environmentSetting, loadConfig, setting } from "@ndx/platform";

const timeStampingAuthorityConfigSpec = {
  /** @default 9093 */
  PORT: setting.port(9093),
  /** @default "127.0.0.1" */
  HOST: setting.string("127.0.0.1"),
  /** Where NDX runs: this authority is for development only and refuses to start in production. @default "development" */
  NDX_ENV: environmentSetting(),
  /** Its CA certificate, TSA certificate and signing key, made at first start and reused. @default ".data/time-stamping-authority" */
  TSA_DATA_DIR: setting.string(resolve(defaultDataDir, "time-stamping-authority")),
  /** @default "info" */
  LOG_LEVEL: setting.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
};

export function loadTimeStampingAuthorityConfig(env: Readonly<Record<string, string | undefined>>) {
  return loadConfig(timeStampingAuthorityConfigSpec, env);
}
