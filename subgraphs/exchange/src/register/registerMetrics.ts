/** The register's gauges on the exchange's /metrics: open streams, the revision this process knows and whether it keeps up. */
import { Gauge, type ServiceMetrics } from "@ndx/platform";
import type { RevisionFeed } from "../storage/revisions.ts";
import type { RegisterEndpoints } from "./registerEndpoints.ts";

export function addRegisterMetrics(metrics: ServiceMetrics, register: RegisterEndpoints, revisions: RevisionFeed): void {
  const registers = [metrics.registry];
  new Gauge({
    name: "ndx_exchange_register_streams",
    help: "Open register streams (GET /v1/register/stream)",
    registers,
    collect() {
      this.set(register.openStreams());
    },
  });
  new Gauge({
    name: "ndx_exchange_register_revision",
    help: "The newest register revision this process knows of",
    registers,
    collect() {
      this.set(revisions.latest().revision);
    },
  });
  new Gauge({
    name: "ndx_exchange_register_live",
    help: "1 while this process hears every change (its LISTEN connection is up), 0 while it may miss some",
    registers,
    collect() {
      this.set(revisions.live() ? 1 : 0);
    },
  });
}
