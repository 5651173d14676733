/**
 * The register a development engine uses when no EXCHANGE_URL is set, so that `node consent-engine/src/main.ts` runs
 * alone: the seeded applications of the exchange seed (`loadExchangeSeed`: members, descriptions, purposes) with the
 * names and redirect URIs of farajaland.json's consumers, all ACTIVE. Never used outside development (config.ts).
 */
import type { ExchangeRegister, RegisterApplication } from "@ndx/contracts";
import type { ExchangeSeed, Farajaland } from "@ndx/fixtures";

export function developmentRegister(seed: ExchangeSeed, farajaland: Pick<Farajaland, "consumers">, at = new Date()): ExchangeRegister {
  const applications = seed.applications.map((app): RegisterApplication => {
    const consumer = farajaland.consumers.find((c) => c.id === app.id);
    const member = seed.members.find((m) => m.code === app.member);
    if (consumer === undefined || member === undefined) {
      throw new Error(`The exchange seed's application ${app.id} needs its consumer in farajaland.json and its member ${app.member}`);
    }
    return {
      id: app.id,
      name: consumer.name,
      description: app.description,
      member: { code: member.code, name: member.name },
      status: "ACTIVE",
      redirectUris: [...consumer.redirectUris],
      purposes: app.purposes.map((p) => ({ ...p })),
      clearance: "PERSONAL",
      bulkAccess: false,
      // Field grants are the gateway's business; the consent engine reads none.
      grants: [],
    };
  });
  return { revision: 0, at: at.toISOString(), applications };
}
