/**
 * XML in and out, safely. Out: documents are built from object trees by fast-xml-parser's XMLBuilder, which
 * escapes every text and attribute value, so input never becomes markup. In: a document is refused before parsing
 * when it is larger than the limit or declares a DOCTYPE or an ENTITY (no external entities, no entity expansion),
 * or when it is not well-formed; the parser itself is told to expand nothing but XML's predefined and character
 * references, and to stop at a nesting limit. A well-formed plain document is read by a fast path that gives the
 * same tree (xmlReader.ts).
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { readPlainXml, type XmlTree } from "./xmlReader.ts";

export type { XmlTree };

export interface XmlLimits {
  /** Larger documents are refused. @default 1048576 */
  readonly maxBytes?: number;
  /** Deeper nesting is refused. @default 64 */
  readonly maxDepth?: number;
}

export type XmlRejection = "too_large" | "doctype" | "not_well_formed";

export class XmlRejectedError extends Error {
  override name = "XmlRejectedError";
  readonly reason: XmlRejection;
  constructor(reason: XmlRejection, message: string) {
    super(message);
    this.reason = reason;
  }
}

const declarations = /<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

/**
 * Parses a document into an object tree: namespace prefixes removed, attributes as `@_name`, text of an element
 * with attributes as `#text`, every value a string (typing is the mapping's job).
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlTree {
  const { maxBytes = 1024 * 1024, maxDepth = 64 } = limits;
  if (Buffer.byteLength(text, "utf8") > maxBytes) throw new XmlRejectedError("too_large", `document exceeds ${maxBytes} bytes`);
  if (declarations.test(text)) throw new XmlRejectedError("doctype", "document declares a DOCTYPE or entities");
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlRejectedError("not_well_formed", `not well-formed XML (line ${valid.err.line})`);
  // A plain document (what legacy services answer) is read by the fast path, the rest by fast-xml-parser.
  const plain = readPlainXml(text, maxDepth);
  if (plain !== undefined) return plain;
  try {
    return parserFor(maxDepth).parse(text) as XmlTree;
  } catch (error) {
    throw new XmlRejectedError("not_well_formed", error instanceof Error ? error.message : "unreadable XML");
  }
}

// One parser per nesting limit, made once: building one (its options, matchers, entity tables) cost about as much as
// parsing a small SOAP answer. A parser keeps no state between documents.
const parsers = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (parser === undefined) {
    parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@_",
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      // Only the predefined entities and character references are expanded; a DOCTYPE never reaches here.
      processEntities: true,
      htmlEntities: true,
      maxNestedTags: maxDepth,
    });
    parsers.set(maxDepth, parser);
  }
  return parser;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: true,
  processEntities: true,
});

/** Serialises an object tree (`@_name` keys are attributes, arrays repeat an element), with an XML declaration. */
export function buildXml(tree: XmlTree): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${buildFragment(tree)}`;
}

/** The same without the XML declaration: an element to go inside a document. */
export function buildFragment(tree: XmlTree): string {
  return builder.build(tree);
}
