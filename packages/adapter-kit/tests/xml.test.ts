import { describe, expect, it } from "vitest";
import {
  buildEnvelope,
  buildXml,
  parseXml,
  passwordDigest,
  readEnvelope,
  SoapFaultError,
  XmlRejectedError,
  type XmlRejection,
} from "../src/index.ts";

function rejection(text: string, limits = {}): XmlRejection | undefined {
  try {
    parseXml(text, limits);
    return undefined;
  } catch (error) {
    return error instanceof XmlRejectedError ? error.reason : undefined;
  }
}

describe("building XML", () => {
  it("escapes input, so a value can never become markup", () => {
    const hostile = `199012345678</dmt:OwnerNic><dmt:Admin>true</dmt:Admin><!--`;
    const xml = buildXml({ "dmt:Request": { "@_xmlns:dmt": "urn:x", "dmt:OwnerNic": hostile, "@_note": `"><evil/>` } });
    expect(xml).not.toContain("<dmt:Admin>");
    expect(xml).not.toContain("<evil/>");
    const parsed = parseXml(xml);
    expect(parsed).toEqual({ Request: { OwnerNic: hostile, "@_note": `"><evil/>` } });
  });

  it("builds a SOAP 1.1 envelope with a UsernameToken whose password is a digest, never the password", () => {
    const nonce = Buffer.from("0123456789abcdef");
    const now = new Date("2026-01-01T00:00:00.000Z");
    const xml = buildEnvelope({ "x:Ping": { "@_xmlns:x": "urn:x", "x:Value": "a&b" } }, { security: { username: "svc", password: "pa<ss" }, nonce, now });
    expect(xml).not.toContain("pa<ss");
    expect(xml).not.toContain("pa&lt;ss");
    const tree = parseXml(xml) as { Envelope: { Header: { Security: { UsernameToken: Record<string, unknown> } }; Body: unknown } };
    const token = tree.Envelope.Header.Security.UsernameToken;
    expect(token["Username"]).toBe("svc");
    expect(token["Password"]).toEqual({
      "#text": passwordDigest(nonce, "2026-01-01T00:00:00.000Z", "pa<ss"),
      "@_Type": expect.stringMatching(/#PasswordDigest$/),
    });
    expect(tree.Envelope.Body).toEqual({ Ping: { Value: "a&b" } });
  });
});

describe("parsing XML safely", () => {
  it("reads well-formed XML, expanding only predefined and character references", () => {
    expect(parseXml(`<?xml version="1.0"?><a x="1"><b>t &amp; &#233;&#x41;</b><c>1</c><c>2</c><d/></a>`)).toEqual({
      a: { b: "t & éA", c: ["1", "2"], d: "", "@_x": "1" },
    });
  });

  it("refuses an XXE payload before parsing: no external entity is ever resolved", () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`;
    expect(rejection(xxe)).toBe("doctype");
  });

  it("refuses an entity-expansion bomb and any DOCTYPE, whatever its case or spacing", () => {
    expect(rejection(`<!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><a>&b;</a>`)).toBe("doctype");
    expect(rejection(`<?xml version="1.0"?><!doctype a><a/>`)).toBe("doctype");
    expect(rejection(`<?xml version="1.0"?><! DOCTYPE a><a/>`)).toBe("doctype");
  });

  it("refuses documents over the size limit and nested deeper than the limit", () => {
    expect(rejection(`<a>${"x".repeat(2000)}</a>`, { maxBytes: 1000 })).toBe("too_large");
    expect(rejection(`${"<a>".repeat(100)}x${"</a>".repeat(100)}`, { maxDepth: 64 })).toBe("not_well_formed");
  });

  it("refuses ill-formed XML", () => {
    expect(rejection(`<a><b></a>`)).toBe("not_well_formed");
    expect(rejection(`{"json": true}`)).toBe("not_well_formed");
  });
});

describe("reading SOAP envelopes", () => {
  const env = (body: string) => `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;

  it("returns the Body", () => {
    expect(readEnvelope(env(`<r:Answer xmlns:r="urn:r"><r:V>1</r:V></r:Answer>`))).toEqual({ Answer: { V: "1" } });
  });

  it("throws a Fault as SoapFaultError with its code (prefix dropped), message and detail", () => {
    let fault: unknown;
    try {
      readEnvelope(env(`<s:Fault><faultcode>s:Client</faultcode><faultstring>no</faultstring><detail><d:E xmlns:d="urn:d"><d:Code>X</d:Code></d:E></detail></s:Fault>`));
    } catch (error) {
      fault = error;
    }
    expect(fault).toBeInstanceOf(SoapFaultError);
    expect((fault as SoapFaultError).fault).toEqual({ code: "Client", message: "no", detail: { E: { Code: "X" } } });
  });

  it("refuses what is not a SOAP envelope", () => {
    expect(() => readEnvelope(`<result>ok</result>`)).toThrow(/not a SOAP envelope/);
  });
});
