/**
 * The fast path of parseXml against fast-xml-parser itself: on every document it takes, the same tree; on the
 * documents it leaves to fast-xml-parser, undefined. Documents: what the DMT simulator answers, and thousands of
 * generated ones (names with prefixes, attributes, repeated elements, text with references and spaces).
 */
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { parseXml } from "../src/index.ts";
import { readPlainXml } from "../src/xmlReader.ts";

// The options xml.ts gives fast-xml-parser.
const reference = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: true,
  maxNestedTags: 64,
});

const soapAnswer = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><dmt:GetVehiclesByOwnerResponse xmlns:dmt="urn:farajaland:dmt:vehicles:v1"><dmt:OwnerNic>199012345678</dmt:OwnerNic><dmt:Vehicles><dmt:Vehicle><dmt:RegistrationNo>FJ-1107-CE</dmt:RegistrationNo><dmt:Make>Isuzu</dmt:Make><dmt:Model>D-Max</dmt:Model><dmt:YearOfManufacture>2019</dmt:YearOfManufacture><dmt:VehicleClass><dmt:Code>C1</dmt:Code><dmt:Description>Light goods vehicle</dmt:Description></dmt:VehicleClass></dmt:Vehicle><dmt:Vehicle><dmt:RegistrationNo>FJ-0093-MC</dmt:RegistrationNo><dmt:Make>Honda &amp; Sons</dmt:Make><dmt:Model>CG125</dmt:Model><dmt:YearOfManufacture>2012</dmt:YearOfManufacture><dmt:VehicleClass><dmt:Code>A</dmt:Code><dmt:Description>Motorcycle</dmt:Description></dmt:VehicleClass></dmt:Vehicle></dmt:Vehicles></dmt:GetVehiclesByOwnerResponse></soap:Body></soap:Envelope>`;
const fault = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>No vehicle</faultstring><detail><dmt:DmtFault xmlns:dmt="urn:x"><dmt:Code>VEHICLE_NOT_FOUND</dmt:Code></dmt:DmtFault></detail></soap:Fault></soap:Body></soap:Envelope>`;

/** A small deterministic generator (the same documents on every run). */
function generator(seed: number) {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const names = ["a", "b", "Vehicle", "x:a", "y:b", "dmt:Code", "soap:Body", "v1", "n.s", "t-u"];
  const texts = ["", " ", "1", "  padded  ", "a &amp; b", "&lt;tag&gt;", "&#65;&#x42;", "q&quot;q&apos;", "é ü", "&#32;edge&#32;", "x\n y", "&nbsp;"];
  const attrs = ["", ` k="v"`, ` p:k="1"`, ` xmlns:p="urn:p"`, ` k='s q'`, ` k=" sp "`, ` k="&amp;&lt;"`, ` k="&#32;e&#32;"`, ` xmlns="urn:d"`, ` a="1" b="2"`, ` k="l1\nl2\tl3"`, ` p:k="1" k="2"`, ` k=">"`];
  const element = (depth: number): string => {
    const name = pick(names);
    const attr = pick(attrs);
    const r = next();
    if (r < 0.15) return `<${name}${attr}/>`;
    if (depth > 3 || r < 0.55) return `<${name}${attr}>${pick(texts)}</${name}>`;
    const children = Array.from({ length: 1 + Math.floor(next() * 4) }, () => element(depth + 1)).join(pick(["", " ", "\n  "]));
    const mixed = next() < 0.1 ? pick(texts) : "";
    return `<${name}${attr}>${mixed}${children}</${name}>`;
  };
  return () => `${next() < 0.5 ? '<?xml version="1.0" encoding="UTF-8"?>' : ""}${element(0)}`;
}

describe("the plain-XML fast path", () => {
  it("reads a SOAP answer and a Fault exactly as fast-xml-parser does", () => {
    for (const doc of [soapAnswer, fault]) {
      expect(readPlainXml(doc, 64)).toEqual(reference.parse(doc));
      expect(readPlainXml(doc, 64)).toBeDefined();
    }
  });

  it("gives the same tree as fast-xml-parser on every generated document it takes, and takes most", () => {
    const docs = [20261206, 7, 424242].map(generator);
    let taken = 0;
    for (let i = 0; i < 6000; i++) {
      const next = docs[i % 3] as () => string;
      const doc = next();
      const fast = readPlainXml(doc, 64);
      if (fast === undefined) continue;
      taken++;
      expect(fast, doc).toEqual(reference.parse(doc));
    }
    expect(taken).toBeGreaterThan(3000);
  });

  it("gives the DMT simulator's tree too (its parser expands no HTML entities nor character references, and stops at 32 levels)", () => {
    const simulator = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@_",
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      processEntities: true,
      htmlEntities: false,
      maxNestedTags: 32,
    });
    const next = generator(99);
    for (let i = 0; i < 2000; i++) {
      const doc = next();
      const fast = readPlainXml(doc, 32, false);
      if (fast !== undefined) expect(fast, doc).toEqual(simulator.parse(doc));
    }
  });

  it("leaves to fast-xml-parser what it does not interpret: comments, CDATA, HTML entities, mixed content, deep nesting, prototype names", () => {
    for (const doc of [
      `<a><!-- c --><b>1</b></a>`,
      `<a><![CDATA[<raw>]]></a>`,
      `<a>&nbsp;</a>`,
      `<a>text<b>1</b></a>`,
      `<a><__proto__>1</__proto__></a>`,
      `<a><constructor>1</constructor></a>`,
      `${"<a>".repeat(70)}${"</a>".repeat(70)}`,
    ]) {
      expect(readPlainXml(doc, 64), doc).toBeUndefined();
    }
    // parseXml still reads them (through fast-xml-parser).
    expect(parseXml(`<a>&nbsp;<b>1</b></a>`)).toEqual(reference.parse(`<a>&nbsp;<b>1</b></a>`));
  });
});
