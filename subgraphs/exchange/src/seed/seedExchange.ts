/**
 * The seed of a fresh development exchange (`loadExchangeSeed()`, packages/fixtures/data/exchange.json): members and
 * their people, the fixture consumers as STATIC applications (name and redirect URIs from farajaland.json, their
 * purposes), and their grants until now + the purpose's maxGrantDays ("*": every field the provider resolves in the
 * supergraph). A database that holds any member or application is never seeded again.
 */
import type { ExchangeSeed } from "@ndx/fixtures";
import type { Db } from "@ndx/platform";
import { applicationStore } from "../applications/applicationStore.ts";
import type { FieldCatalogue } from "../catalogue/fieldCatalogue.ts";
import { fieldGrantStore } from "../grants/fieldGrantStore.ts";
import { memberStore } from "../members/memberStore.ts";
import { bumpRevision, type Revision } from "../storage/revisions.ts";

export interface SeedConsumer {
  readonly id: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
}

export interface SeedOptions {
  readonly seed: ExchangeSeed;
  /** farajaland.json's consumers: each seeded application takes its name and redirect URIs from its consumer. */
  readonly consumers: readonly SeedConsumer[];
  readonly catalogue: FieldCatalogue;
  /** @default Date.now() */
  readonly now?: number;
}

export type SeedResult =
  | { readonly seeded: false }
  | { readonly seeded: true; readonly members: number; readonly applications: number; readonly grants: number; readonly revision: Revision };

const day = 86_400_000;

export async function seedExchange(db: Db, options: SeedOptions): Promise<SeedResult> {
  const { seed, catalogue } = options;
  const now = options.now ?? Date.now();
  return db.transaction(async (tx) => {
    // Two exchanges starting on one fresh database: one seeds, the other then finds data.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('ndx:exchange:seed'))");
    const { rows } = await tx.query<{ n: number }>("SELECT ((SELECT count(*) FROM member) + (SELECT count(*) FROM application))::int AS n");
    if ((rows[0]?.n ?? 0) > 0) return { seeded: false } as const;
    for (const member of seed.members) await memberStore.insert(tx, member);
    let grants = 0;
    for (const app of seed.applications) {
      const consumer = options.consumers.find((c) => c.id === app.id);
      if (consumer === undefined) throw new Error(`the exchange seed names application ${app.id}, which is no consumer of the fixtures`);
      await applicationStore.insert(tx, {
        id: app.id,
        member: app.member,
        name: consumer.name,
        description: app.description,
        language: app.language ?? "en",
        nameTranslations: app.nameTranslations ?? [],
        redirectUris: consumer.redirectUris,
        authMethod: "CLIENT_SECRET_BASIC",
        clientRegistration: "STATIC",
        registrationSealed: null,
        purposes: app.purposes,
        secretIssued: true,
      });
      // A seed setting only: no mutation grants bulk access (the bench's seed gives it to its list reader).
      if (app.bulkAccess === true) await tx.query("UPDATE application SET bulk_access = true WHERE id = $1", [app.id]);
      for (const [provider, fields] of Object.entries(app.grants)) {
        const coordinates = fields === "*" ? catalogue.fields(provider).map((f) => f.coordinate) : fields;
        const unknown = coordinates.filter((c) => catalogue.field(provider, c) === undefined);
        if (unknown.length > 0 || coordinates.length === 0) {
          throw new Error(`the exchange seed grants ${app.id} fields ${provider} does not resolve: ${unknown.join(", ") || "(none at all)"}`);
        }
        for (const purpose of app.purposes) {
          const endsAt = new Date(now + purpose.maxGrantDays * day).toISOString();
          for (const coordinate of coordinates) {
            await fieldGrantStore.insert(tx, { application: app.id, purpose: purpose.code, provider, coordinate, endsAt, request: null });
            grants += 1;
          }
        }
      }
    }
    const revision = await bumpRevision(tx);
    await tx.query(
      "INSERT INTO admin_history (actor, action, target, before, after, revision) VALUES ('seed', 'seedExchange', 'exchange', NULL, $1::jsonb, $2)",
      [JSON.stringify({ members: seed.members.map((m) => m.code), applications: seed.applications.map((a) => a.id), grants }), revision.revision],
    );
    return { seeded: true, members: seed.members.length, applications: seed.applications.length, grants, revision } as const;
  });
}
