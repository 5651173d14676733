/**
 * knip: unused files, exports and dependencies, and dependencies used but not listed, across the npm workspaces.
 * Run by `npm run lint` (scripts/lint.ts), and so by `npm test`.
 *
 * Entry points come from each workspace's package.json (`exports`, and the files its scripts run with `node`), the
 * root scripts (which run files of other workspaces, such as the registry's kekRotationCli.ts), and knip's Vitest
 * plugin (vitest.config.ts and the test files). Every exception below says why.
 */
import type { KnipConfig } from "knip";

const config: KnipConfig = {
  // The opa CLI is built with the Go toolchain (`npm run setup`); go is a system binary, not an npm package.
  // openssl (Debian's) is the reference verifier of RFC 3161 time-stamp tokens in the evidence tests, on purpose not
  // our own reading of the format. haproxy (Debian's) is the load balancer of npm run cluster and its test. perf
  // (Debian's linux-perf) records the gateways for `npm run bench -- --perf`, which says so when it is missing.
  // promtool checks and unit-tests the alerting rules (Debian's, or built with go install by `npm run setup`).
  ignoreBinaries: ["go", "openssl", "haproxy", "perf", "promtool"],
  // A type or interface that appears in an exported signature stays exported so that callers can name it, even when
  // no other file does yet.
  ignoreExportsUsedInFile: { interface: true, type: true },
  workspaces: {
    ".": {},
    gateway: {
      // Run by path as child processes that tests kill with SIGKILL: mid-archive (evidenceArchive.test.ts), mid-audit
      // on the database worker (workerDb.test.ts).
      entry: ["tests/archiveChild.ts", "tests/workerDbChild.ts"],
    },
    bench: {
      // Loaded by path into the Hive Gateway process (`node --import …/orphanGuard.ts`), never imported.
      entry: ["src/orphanGuard.ts"],
      // The gateways the benchmark measures: Hive Gateway is started by path from node_modules, and the results
      // record the installed versions of all three (run.ts, versionOf), so they are pinned here though not imported.
      ignoreDependencies: ["@apollo/gateway", "@graphql-hive/gateway", "graphql-yoga"],
    },
  },
};

export default config;
