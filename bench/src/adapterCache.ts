/**
 * `--adapter-cache off`: the environment the adapters get to turn their cache of legacy answers off (a provider
 * that says "don't cache"), for a comparison run against the default, the cache as each adapter configures it
 * (@ndx/adapter-kit legacyAdapterConfig.ts: `<PREFIX>_CACHE_TTL_MS=0` alone turns it off; identical calls in
 * flight are still merged).
 */
const adapterCacheOffEnv: Readonly<Record<string, string>> = { DRP_LEGACY_CACHE_TTL_MS: "0", DMT_LEGACY_CACHE_TTL_MS: "0" };

/** The environment for the adapters under `mode`: nothing for the default. */
export function adapterCacheEnv(mode: "default" | "off"): Readonly<Record<string, string>> {
  return mode === "off" ? adapterCacheOffEnv : {};
}
