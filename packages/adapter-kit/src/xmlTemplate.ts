/**
 * A document built once from an object tree by `buildXml` (so its markup is the builder's, never concatenated by
 * hand), with slots for values that change per use. Filling a slot escapes the value as the builder escapes text and
 * attributes (& < > " '), so a value can never become markup: `compileXml(tree)(values)` equals `buildXml` of the
 * same tree with those values in the slots (byte for byte, but for an element left empty: `<a></a>`, not `<a/>`). For documents whose shape is fixed and only some values vary per call
 * (a SOAP envelope's WS-Security header): building the tree again each time cost most of a call's envelope.
 */
import { buildXml, type XmlTree } from "./xml.ts";

/** Marks the slot `name` in a tree given to `compileXml`, as an element's text or an attribute's value. */
export function slot(name: string): string {
  if (!/^\w+$/.test(name)) throw new Error("a slot name is letters, digits and _");
  return `\uE000${name}\uE000`;
}

// A private-use character: the builder passes it through, and no markup of ours holds it.
const marker = /\uE000(\w+)\uE000/;

/**
 * The tree as a template: call it with a value for every slot. A slot named in `fragments` takes markup made by
 * `buildFragment` (an element the builder made from a tree), inserted as it is; every other value is escaped.
 */
export function compileXml<K extends string>(tree: XmlTree, fragments: readonly K[] = []): (values: Readonly<Record<K, string>>) => string {
  const pieces = buildXml(tree).split(marker);
  // split() with a capture group alternates: markup, slot name, markup, slot name, ..., markup.
  const markup = pieces.filter((_, i) => i % 2 === 0);
  const names = pieces.filter((_, i) => i % 2 === 1) as K[];
  const verbatim = names.map((name) => fragments.includes(name));
  return (values) => {
    let out = markup[0] as string;
    for (let i = 0; i < names.length; i++) {
      const value = values[names[i] as K];
      out += (verbatim[i] === true ? value : escapeXml(value)) + (markup[i + 1] as string);
    }
    return out;
  };
}

const escapes: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text or an attribute value as XML: the five characters that could end it or start markup, escaped. */
export function escapeXml(value: string): string {
  return /[&<>"']/.test(value) ? value.replace(/[&<>"']/g, (c) => escapes[c] as string) : value;
}
