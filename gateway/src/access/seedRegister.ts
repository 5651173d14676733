/**
 * The register a fresh development exchange starts with, built from the fixture seed (exchange.json, with names and
 * redirect URIs from farajaland.json): the gateway's register in development when no EXCHANGE_URL is set, so that the
 * gateway alone still runs, and the fixed register of its tests. A grant of "*" names every field the provider
 * resolves in the supergraph but its mutations (the same grants the exchange seeds); every grant lasts its purpose's
 * longest grant from `now`.
 */
import type { ExchangeRegister, RegisterGrant } from "@ndx/contracts";
import { loadExchangeSeed, loadFarajaland } from "@ndx/fixtures";
import type { FieldCatalogue } from "./fieldCatalogue.ts";

const dayMs = 86_400_000;

export function seedRegister(catalogue: FieldCatalogue, now: Date = new Date(), revision = 0): ExchangeRegister {
  const seed = loadExchangeSeed();
  const consumers = new Map(loadFarajaland().consumers.map((c) => [c.id, c]));
  const members = new Map(seed.members.map((m) => [m.code, m]));
  // Grants name fields that are read: a mutation's root field is a write, decided by roles (as the exchange's catalogue).
  const writes = `${catalogue.schema.getMutationType()?.name ?? "Mutation"}.`;
  const fieldsOf = (provider: string, named: "*" | readonly string[]): readonly string[] =>
    named === "*" ? catalogue.all.filter((f) => f.providers.includes(provider) && !f.key.startsWith(writes)).map((f) => f.key) : named;
  return {
    revision,
    at: now.toISOString(),
    applications: seed.applications.map((app) => {
      const consumer = consumers.get(app.id);
      const member = members.get(app.member);
      const grants: RegisterGrant[] = app.purposes.flatMap((purpose) => {
        const endsAt = new Date(now.getTime() + purpose.maxGrantDays * dayMs).toISOString();
        return Object.entries(app.grants).flatMap(([provider, named]) =>
          fieldsOf(provider, named).map((field) => ({ id: `seed:${app.id}:${purpose.code}:${provider}:${field}`, purpose: purpose.code, provider, field, endsAt })),
        );
      });
      return {
        id: app.id,
        name: consumer?.name ?? app.id,
        description: app.description,
        member: { code: app.member, name: member?.name ?? app.member },
        status: "ACTIVE",
        redirectUris: consumer?.redirectUris ?? [],
        purposes: app.purposes,
        clearance: "PERSONAL",
        bulkAccess: false,
        grants,
      };
    }),
    members: seed.members.map((m) => ({ code: m.code, name: m.name, providers: [...m.providers], people: m.people.map((p) => ({ username: p.username, role: p.role })) })),
  };
}
