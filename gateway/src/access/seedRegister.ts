/**
 * The gateway's register in development when no EXCHANGE_URL is set (so that the gateway alone still runs), and the
 * fixed register of its tests: the exchange seed's register (@ndx/fixtures `seedRegister`), a grant of "*" naming every
 * field the provider resolves in the supergraph but its mutations (the same grants the exchange seeds).
 */
import type { ExchangeRegister } from "@ndx/contracts";
import { loadExchangeSeed, loadFarajaland, seedRegister as registerOfSeed } from "@ndx/fixtures";
import type { FieldCatalogue } from "./fieldCatalogue.ts";

export function seedRegister(catalogue: FieldCatalogue, now: Date = new Date(), revision = 0): ExchangeRegister {
  // Grants name fields that are read: a mutation's root field is a write, decided by roles (as the exchange's catalogue).
  const writes = `${catalogue.schema.getMutationType()?.name ?? "Mutation"}.`;
  const fieldsOf = (provider: string): readonly string[] =>
    catalogue.all.filter((f) => f.providers.includes(provider) && !f.key.startsWith(writes)).map((f) => f.key);
  return registerOfSeed(loadExchangeSeed(), loadFarajaland(), { fieldsOf, now, revision });
}
