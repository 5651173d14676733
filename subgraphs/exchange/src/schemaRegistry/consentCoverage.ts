/**
 * How many ACTIVE consents cover a field: the consent engine's `GET /v1/consents/coverage?provider=&field=` with its
 * service token (counts only). A failure answers null, which the checks count as in use (fail closed); its body is
 * never read into a message.
 */
import type { Logger } from "@ndx/platform";

export interface ConsentCoverage {
  /** `field` is `Type.field`, or a type for any of its fields; null when the engine could not be asked. */
  activeConsents(provider: string, field: string): Promise<number | null>;
}

export interface ConsentCoverageOptions {
  /** The consent engine's base URL (CONSENT_ENGINE_URL). */
  readonly url: string;
  /** CONSENT_SERVICE_TOKEN */
  readonly serviceToken: string;
  readonly logger: Logger;
  /** @default 3000 */
  readonly timeoutMs?: number;
}

export function createConsentCoverage(options: ConsentCoverageOptions): ConsentCoverage {
  const { url, serviceToken, logger, timeoutMs = 3000 } = options;
  return {
    async activeConsents(provider, field) {
      const target = new URL("/v1/consents/coverage", url);
      target.searchParams.set("provider", provider);
      target.searchParams.set("field", field);
      try {
        const response = await fetch(target, { headers: { authorization: `Bearer ${serviceToken}` }, signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        const body = (await response.json()) as { active?: unknown };
        if (typeof body.active !== "number" || !Number.isInteger(body.active) || body.active < 0) throw new Error("no count in the answer");
        return body.active;
      } catch (err) {
        logger.warn({ provider, field, cause: err instanceof Error ? err.message : String(err) }, "consent coverage could not be asked");
        return null;
      }
    },
  };
}

/** No consent engine configured: coverage is unknown, so breaking changes count as in use. */
export const unknownCoverage: ConsentCoverage = { activeConsents: async () => null };
