/**
 * The consent catalogue follows the supergraph the schema registry has active: a new PERSONAL field can be asked for,
 * labelled with its SDL description; the file's labels win; non-personal fields are not added; the follower asks the
 * exchange's GET /v1/supergraph over real HTTP (service token, ETag) and keeps the catalogue when it cannot.
 */
import { createServer, type Server } from "node:http";
import { readSupergraph } from "@ndx/schema";
import { createLogger } from "@ndx/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followingSupergraph, loadFieldCatalogue } from "../src/catalogue.ts";
import { followSupergraphCatalogue } from "../src/catalogueFollower.ts";

const base = readSupergraph();
const anchor = "  profession: String @join__field(graph: DRP) @classified(as: \"PERSONAL\")";
const withFields = base.replace(
  anchor,
  `${anchor}\n\n  """Date the DRP first registered you"""\n  registeredOn: String @join__field(graph: DRP) @classified(as: "PERSONAL")\n\n  recordStatus: String @join__field(graph: DRP) @classified(as: "INTERNAL")`,
);

describe("the consent catalogue following the supergraph", () => {
  it("adds new personal fields with their descriptions, keeps the file's labels, leaves other classes out", () => {
    expect(withFields).not.toBe(base);
    const catalogue = followingSupergraph(loadFieldCatalogue());
    const item = { provider: "drp", field: "Person.registeredOn" };
    expect(catalogue.has(item)).toBe(false);
    catalogue.apply(withFields);
    expect(catalogue.has(item)).toBe(true);
    expect(catalogue.fieldLabel(item)).toBe("Date the DRP first registered you");
    expect(catalogue.fieldLabel({ provider: "drp", field: "Person.permanentAddress" })).toBe("Permanent address");
    expect(catalogue.has({ provider: "drp", field: "Person.recordStatus" })).toBe(false);
    catalogue.apply(base);
    expect(catalogue.has(item)).toBe(false);
  });
});

describe("the catalogue follower", () => {
  let server: Server;
  let url = "";
  let sdl = base;
  let up = true;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (!up) {
        res.writeHead(503).end();
        return;
      }
      const hash = `h${sdl.length}`;
      if (req.headers["if-none-match"] === `"${hash}"`) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json", etag: `"${hash}"` }).end(JSON.stringify({ hash, sdl, position: 1, versions: {} }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  it("applies each new active supergraph, with the service token, and keeps the catalogue while the exchange fails", async () => {
    const catalogue = followingSupergraph(loadFieldCatalogue());
    const follower = followSupergraphCatalogue({ url, serviceToken: "svc", catalogue, logger: createLogger("test", "silent"), intervalMs: 60_000 });
    try {
      await follower.poll();
      sdl = withFields;
      await follower.poll();
      expect(catalogue.has({ provider: "drp", field: "Person.registeredOn" })).toBe(true);
      up = false;
      await follower.poll();
      expect(catalogue.has({ provider: "drp", field: "Person.registeredOn" })).toBe(true);
      expect(seen.every((a) => a === "Bearer svc")).toBe(true);
    } finally {
      follower.close();
    }
  });
});
