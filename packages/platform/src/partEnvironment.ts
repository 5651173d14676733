/**
 * What every NDX part's process is started with (`npm start`, the cluster, the bench; the container image sets the
 * same), under the operator's own environment, which wins.
 *
 * `MALLOC_TRIM_THRESHOLD_`: glibc's malloc gives memory freed at the top of a heap back to the system only above a
 * trim threshold, which it raises by itself (up to 64 MB) once a process frees large blocks. V8 compiling Postgres's
 * wasm (PGlite) on its background threads frees hundreds of megabytes of compiler memory, and the parts that embed
 * PGlite kept 70-120 MB of it resident for good (the NDX gateway and the registry; bench/PROFILE.md). A fixed
 * threshold of 128 KB, glibc's own starting value, returns it; CPU per request measured the same or lower.
 */
export const partEnvironmentDefaults: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: "131072" };

/** A part's environment: the defaults above, then `env` (the operator's) over them. */
export const partEnvironment = (env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> => ({
  ...partEnvironmentDefaults,
  ...env,
});
