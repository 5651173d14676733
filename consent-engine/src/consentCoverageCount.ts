/**
 * `GET /v1/consents/coverage?provider=&field=`: how many live consents (ACTIVE, or PAUSED, which resumes) cover a
 * field — counts only, for the schema registry's checks at the exchange (service token, as every /v1 call). `field` is
 * `Type.field`, or a type for any of its fields (a type removed or changed as a whole).
 */
import type { Queryable } from "@ndx/platform";
import { badInput } from "./apiError.ts";

export interface CoverageCount {
  readonly provider: string;
  readonly field: string;
  /** Live consents (ACTIVE or PAUSED, not expired) whose scope names the field. */
  readonly active: number;
}

export function coverageQuery(params: URLSearchParams): { provider: string; field: string } {
  const provider = params.get("provider") ?? "";
  const field = params.get("field") ?? "";
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(provider)) throw badInput("provider must be a subgraph name", { property: "provider" });
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,99}(\.[A-Za-z_][A-Za-z0-9_]{0,99})?$/.test(field)) throw badInput("field must be Type.field or a type", { property: "field" });
  return { provider, field };
}

export async function countCoverage(db: Queryable, provider: string, field: string): Promise<CoverageCount> {
  const wholeType = !field.includes(".");
  const { rows } = await db.query<{ n: number | string }>(
    `SELECT count(*)::int AS n FROM consents c
      WHERE c.status IN ('ACTIVE', 'PAUSED') AND c.expires_at > now()
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(c.scope) AS item
                     WHERE item->>'provider' = $1 AND (item->>'field' = $2 OR ($3 AND item->>'field' LIKE $2 || '.%')))`,
    [provider, field, wholeType],
  );
  return { provider, field, active: Number(rows[0]?.n ?? 0) };
}
