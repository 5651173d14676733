import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile, migrate, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { randomBytes } from "node:crypto";
import {
  createRegistry,
  defaultRegistersDir,
  envKeyEncryptionKey,
  loadRegisters,
  migrationsDir,
  seedRegistry,
  type RegistryYoga,
} from "../src/index.ts";

const farajaland = loadFarajaland(defaultFixturesFile);
const generated = generateCitizens({ count: 300, reserved: farajaland.citizens });
const logger = createLogger("test", "silent");

interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

for (const backend of testBackends()) {
  describe(`registry on ${backend.name}`, () => {
    let db: Db;
    let yoga: RegistryYoga;
    let statements = 0;

    const gql = async (query: string, variables?: Record<string, unknown>): Promise<Body> => {
      const response = await yoga.fetch("http://registry.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as Body;
    };

    beforeAll(async () => {
      const opened = await backend.open("registry");
      // Count the SQL statements the subgraph sends, to show that entity lookups are batched.
      db = {
        ...opened,
        query: (sql, params) => {
          statements += 1;
          return opened.query(sql, params);
        },
        selectPrepared: (name, sql, params) => {
          statements += 1;
          return opened.selectPrepared(name, sql, params);
        },
      };
      await migrate(db, readMigrations(migrationsDir), "ndx:registry");
      await seedRegistry(db, [...farajaland.citizens, ...generated]);
      yoga = await createRegistry({
        db,
        logger,
        registers: loadRegisters(defaultRegistersDir),
        keyEncryptionKey: envKeyEncryptionKey(randomBytes(32)),
      });
    });

    afterAll(async () => {
      await db?.close();
    });

    it("holds every canonical citizen exactly as written in the fixtures", async () => {
      for (const citizen of farajaland.citizens) {
        const body = await gql(
          `query($nic: String!) { person(nic: $nic) { nic fullName dateOfBirth birthPlace district sex birthRegistrationNumber } }`,
          { nic: citizen.nic },
        );
        expect(body.data?.["person"]).toEqual({ nic: citizen.nic, ...citizen.registry });
      }
    });

    it("seeds idempotently and never overwrites a record that exists", async () => {
      await db.query("UPDATE person SET district = 'Isamba' WHERE nic = $1", ["197712240099"]);
      const again = await seedRegistry(db, [...farajaland.citizens, ...generated]);
      expect(again).toEqual({ inserted: 0, total: farajaland.citizens.length + generated.length });
      const row = await db.query<{ district: string }>("SELECT district FROM person WHERE nic = $1", ["197712240099"]);
      expect(row.rows[0]?.district).toBe("Isamba");
      await db.query("UPDATE person SET district = 'Ezhi' WHERE nic = $1", ["197712240099"]);
    });

    it("answers null for an unknown NIC and BAD_USER_INPUT for a malformed one", async () => {
      expect(await gql(`{ person(nic: "000000000001") { fullName } }`)).toEqual({ data: { person: null } });
      const bad = await gql(`{ person(nic: "1990-12345") { fullName } }`);
      expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "nic" });
    });

    it("resolves many entities with one SQL statement, in order, null for unknown keys", async () => {
      const keys = ["200101010011", "000000000000", "198503150123", "not-a-nic"];
      const before = statements;
      const body = await gql(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { nic fullName } } }`,
        { r: keys.map((nic) => ({ __typename: "Person", nic })) },
      );
      expect(statements - before).toBe(1);
      expect(body.data?.["_entities"]).toEqual([
        { nic: "200101010011", fullName: "Thandiwe Grace Zulu" },
        null,
        { nic: "198503150123", fullName: "Josephine Kalumba Phiri" },
        null,
      ]);
    });

    it("filters people by district and date-of-birth range, in pages that cover every match once", async () => {
      const filter = { district: "Ibombo", bornFrom: "1960-01-01", bornTo: "2000-12-31" };
      const expected = [...farajaland.citizens, ...generated]
        .filter(
          (c) =>
            c.registry.district === filter.district &&
            c.registry.dateOfBirth >= filter.bornFrom &&
            c.registry.dateOfBirth <= filter.bornTo,
        )
        .map((c) => c.nic)
        .sort();
      expect(expected.length).toBeGreaterThan(3);
      const seen: string[] = [];
      let after: string | null = null;
      let total = -1;
      for (let page = 0; page < 100; page++) {
        const body = await gql(
          `query($f: PeopleFilter, $after: String) { people(filter: $f, first: 3, after: $after) {
            totalCount edges { node { nic } } pageInfo { hasNextPage endCursor } } }`,
          { f: filter, after },
        );
        const people = body.data?.["people"] as {
          totalCount: number;
          edges: { node: { nic: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
        total = people.totalCount;
        seen.push(...people.edges.map((e) => e.node.nic));
        if (!people.pageInfo.hasNextPage) break;
        after = people.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
      expect(total).toBe(expected.length);
    });

    it("lists the districts that the filter accepts", async () => {
      const body = await gql("{ districts }");
      const districts = body.data?.["districts"] as string[];
      for (const c of farajaland.citizens) expect(districts).toContain(c.registry.district);
    });

    it.each([
      [{ first: 500 }, "first"],
      [{ filter: { district: "Nowhere" } }, "filter.district"],
      [{ filter: { bornTo: "31/12/1990" } }, "filter.bornTo"],
      [{ after: "xyz" }, "after"],
    ])("refuses %j with BAD_USER_INPUT naming %s", async (variables, argument) => {
      const body = await gql(
        `query($first: Int, $filter: PeopleFilter, $after: String) { people(first: $first, filter: $filter, after: $after) { totalCount } }`,
        variables,
      );
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument });
    });

    it("answers /ready only while the database answers", async () => {
      const ready = await yoga.fetch("http://registry.test/ready");
      expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok" } });
    });
  });
}
