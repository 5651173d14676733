import { describe, expect, it } from "vitest";
import { buildEnvelope, buildXml, compileXml, createEnvelopeWriter, parseXml, passwordDigest, slot } from "../src/index.ts";

const hostile = [`199012345678</dmt:OwnerNic><dmt:Admin>true</dmt:Admin><!--`, `"><evil/>`, `a&b'c`, "plain", "", "é & ü <x>"];

describe("compiled XML templates", () => {
  it("give exactly what the builder gives for the same tree, whatever the values hold", () => {
    const tree = (a: string, b: string) => ({ "x:Doc": { "@_xmlns:x": "urn:x", "@_note": a, "x:Value": b, "x:Fixed": "f" } });
    const template = compileXml<"a" | "b">(tree(slot("a"), slot("b")));
    for (const a of hostile) {
      for (const b of hostile) {
        // The builder writes an empty element as <x:Value/>, the template as <x:Value></x:Value>: the same XML.
        if (b !== "") expect(template({ a, b })).toBe(buildXml(tree(a, b)));
        expect(parseXml(template({ a, b }))).toEqual(parseXml(buildXml(tree(a, b))));
      }
    }
  });

  it("never lets a value become markup", () => {
    const template = compileXml<"v">({ "x:Doc": { "x:Value": slot("v") } });
    const xml = template({ v: hostile[0] as string });
    expect(xml).not.toContain("<dmt:Admin>");
    expect(parseXml(xml)).toEqual({ Doc: { Value: hostile[0] } });
  });
});

describe("the envelope writer", () => {
  const security = { username: `svc"<&>`, password: "pa<ss" };
  const payload = { "dmt:GetVehiclesByOwnerRequest": { "@_xmlns:dmt": "urn:farajaland:dmt:vehicles:v1", "dmt:OwnerNic": hostile[0] } };

  it("writes the same envelope as buildEnvelope for the same nonce and time", () => {
    const nonce = Buffer.from("0123456789abcdef");
    const now = new Date("2026-01-01T00:00:00.000Z");
    expect(createEnvelopeWriter(security)(payload, { nonce, now })).toBe(buildEnvelope(payload, { security, nonce, now }));
    expect(createEnvelopeWriter(undefined)(payload)).toBe(buildEnvelope(payload));
  });

  it("uses a fresh nonce for every envelope, and a digest of it", () => {
    const write = createEnvelopeWriter(security);
    const tokens = Array.from({ length: 600 }, () => {
      const tree = parseXml(write(payload)) as { Envelope: { Header: { Security: { UsernameToken: Record<string, { "#text": string } | string> } } } };
      return tree.Envelope.Header.Security.UsernameToken;
    });
    const nonces = tokens.map((t) => (t["Nonce"] as { "#text": string })["#text"]);
    expect(new Set(nonces).size).toBe(600);
    for (const t of tokens.slice(0, 5)) {
      const nonce = Buffer.from((t["Nonce"] as { "#text": string })["#text"], "base64");
      expect(nonce).toHaveLength(16);
      expect((t["Password"] as { "#text": string })["#text"]).toBe(passwordDigest(nonce, t["Created"] as string, security.password));
      expect(t["Username"]).toBe(security.username);
    }
  });
});
