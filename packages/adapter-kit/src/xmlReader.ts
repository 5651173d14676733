/**
 * A fast path for `parseXml`: reads the plain documents legacy services answer with (elements, attributes, text, XML's
 * five entities and character references) into exactly the tree fast-xml-parser makes with xml.ts's options, in a
 * fraction of its time (a SOAP answer: ~50 → ~8 µs). It runs only on a document the validator has already found
 * well-formed and free of DOCTYPE and entity declarations, and it gives up (undefined: fast-xml-parser reads it) on
 * anything else it would have to interpret: comments, CDATA, processing instructions other than the declaration,
 * named entities other than XML's own (fast-xml-parser expands HTML's), mixed content, nesting past the limit, and
 * names that are properties of Object.prototype. A test compares both on generated documents.
 */
/** A parsed document: namespace prefixes removed, attributes as `@_name`, every value a string (xml.ts). */
export type XmlTree = Record<string, unknown>;

interface Frame {
  readonly name: string;
  readonly node: Record<string, unknown>;
  attributes: boolean;
  children: boolean;
  text: string;
}

const token = /<\?[^]*?\?>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/y;
const attribute = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const references = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));/g;
const named: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

class GiveUp extends Error {}

/**
 * The tree fast-xml-parser would make, or undefined when the document is not one this reader takes.
 * `characterReferences`: whether that parser expands &#NN; (it does with `htmlEntities`); when not, a document with
 * one is left to it. @default true
 */
export function readPlainXml(text: string, maxDepth: number, characterReferences = true): XmlTree | undefined {
  if (text.includes("<!") || (!characterReferences && text.includes("&#"))) return undefined;
  try {
    return read(text, maxDepth);
  } catch (error) {
    if (error instanceof GiveUp || error instanceof RangeError) return undefined;
    throw error;
  }
}

function read(text: string, maxDepth: number): XmlTree {
  const root: Frame = { name: "", node: {}, attributes: false, children: false, text: "" };
  const stack: Frame[] = [root];
  token.lastIndex = 0;
  while (token.lastIndex < text.length) {
    const at = token.lastIndex;
    const m = token.exec(text);
    if (m === null || m.index !== at) throw new GiveUp();
    const [whole, closing, opening, attributes, selfClosing, content] = m;
    const top = stack[stack.length - 1] as Frame;
    if (content !== undefined) {
      top.text += content;
    } else if (opening !== undefined) {
      if (stack.length > maxDepth) throw new GiveUp();
      const frame: Frame = { name: localName(opening), node: {}, attributes: false, children: false, text: "" };
      readAttributes(attributes ?? "", frame);
      if (selfClosing === "/") add(top, frame.name, frame.attributes ? frame.node : "");
      else stack.push(frame);
    } else if (closing !== undefined) {
      if (stack.length === 1 || localName(closing) !== top.name) throw new GiveUp();
      stack.pop();
      add(stack[stack.length - 1] as Frame, top.name, valueOf(top));
    } else if (!whole.startsWith("<?")) {
      throw new GiveUp();
    }
  }
  if (stack.length !== 1 || root.text.trim() !== "") throw new GiveUp();
  return root.node;
}

function localName(qualified: string): string {
  const parts = qualified.split(":");
  const name = parts[parts.length - 1] as string;
  if (parts.length > 2 || name === "" || name in Object.prototype) throw new GiveUp();
  return name;
}

function readAttributes(source: string, frame: Frame): void {
  if (source === "") return;
  attribute.lastIndex = 0;
  for (let m = attribute.exec(source); m !== null; m = attribute.exec(source)) {
    const name = m[1] as string;
    if (name === "xmlns" || name.startsWith("xmlns:")) continue;
    frame.node[`@_${localName(name)}`] = decode((m[2] ?? m[3] ?? "").trim());
    frame.attributes = true;
  }
}

function valueOf(frame: Frame): unknown {
  // Trimmed before references are expanded, as fast-xml-parser does (&#32;x&#32; keeps its spaces).
  const text = decode(frame.text.trim());
  if (frame.children) {
    if (text !== "") throw new GiveUp();
    return frame.node;
  }
  if (!frame.attributes) return text;
  if (text !== "") frame.node["#text"] = text;
  return frame.node;
}

function add(parent: Frame, name: string, value: unknown): void {
  const node = parent.node;
  if (Object.hasOwn(node, name)) {
    const existing = node[name];
    if (Array.isArray(existing)) existing.push(value);
    else node[name] = [existing, value];
  } else {
    node[name] = value;
  }
  parent.children = true;
}

function decode(text: string): string {
  if (!text.includes("&")) return text;
  // Any other reference (HTML's named entities) is fast-xml-parser's to expand.
  if (text.replace(references, "").includes("&")) throw new GiveUp();
  return text.replace(references, (_, decimal?: string, hex?: string, entity?: string) =>
    entity !== undefined ? (named[entity] as string) : String.fromCodePoint(decimal !== undefined ? Number(decimal) : parseInt(hex as string, 16)),
  );
}
