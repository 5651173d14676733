/**
 * Keeps the consent catalogue on the supergraph the gateways serve: asks the exchange's schema registry for the active
 * supergraph (`GET /v1/supergraph`, EXCHANGE_SERVICE_TOKEN, If-None-Match) every `intervalMs` and applies each new one.
 * A failing exchange leaves the catalogue as it is (logged when it starts failing and when it recovers).
 */
import type { Logger } from "@ndx/platform";
import type { FollowingCatalogue } from "./catalogue.ts";

export interface CatalogueFollowerOptions {
  readonly url: string;
  readonly serviceToken: string;
  readonly catalogue: FollowingCatalogue;
  readonly logger: Logger;
  /** @default 1000 */
  readonly intervalMs?: number;
}

export function followSupergraphCatalogue(options: CatalogueFollowerOptions): { poll(): Promise<void>; close(): void } {
  const { catalogue, logger, intervalMs = 1000 } = options;
  let hash: string | undefined;
  let failing = false;
  let inFlight: Promise<void> | undefined;
  async function ask(): Promise<void> {
    try {
      const response = await fetch(new URL("/v1/supergraph", options.url), {
        headers: { authorization: `Bearer ${options.serviceToken}`, ...(hash === undefined ? {} : { "if-none-match": `"${hash}"` }) },
        signal: AbortSignal.timeout(3000),
      });
      if (response.status !== 304) {
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        const body = (await response.json()) as { hash?: unknown; sdl?: unknown };
        if (typeof body.hash !== "string" || typeof body.sdl !== "string") throw new Error("the answer is not a supergraph");
        if (body.hash !== hash) {
          catalogue.apply(body.sdl);
          hash = body.hash;
          logger.info({ hash }, "consent catalogue follows the active supergraph");
        }
      }
      if (failing) logger.info("the schema registry answers again");
      failing = false;
    } catch (err) {
      if (!failing) logger.warn({ cause: err instanceof Error ? err.message : String(err) }, "the schema registry cannot be asked; the consent catalogue stays");
      failing = true;
    }
  }
  const poll = () => (inFlight ??= ask().finally(() => (inFlight = undefined)));
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  void poll();
  return { poll, close: () => clearInterval(timer) };
}
