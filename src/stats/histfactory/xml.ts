/**
 * HistFactory XML as a small element tree. Parsing is fast-xml-parser's (a maintained, dependency-
 * light parser that keeps document order with `preserveOrder` — modifier order matters, it sets
 * the parameter order — and reports malformed XML with line and column); this file only turns its
 * output into {tag, attrs, children, text} and writes the tree back out.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { HepflowError } from "../../util/index.js";

/** One XML element: tag, attributes as written, child elements in document order, and its text. */
export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

type Ordered = Record<string, unknown> & { ":@"?: Record<string, string> };

function convert(node: Ordered): XmlElement | undefined {
  const tag = Object.keys(node).find((k) => k !== ":@");
  if (tag === undefined || tag === "#text" || tag.startsWith("?") || tag.startsWith("!")) return undefined;
  const inner = (node[tag] as Ordered[]) ?? [];
  const children: XmlElement[] = [];
  let text = "";
  for (const c of inner) {
    if ("#text" in c) text += String(c["#text"]);
    else {
      const e = convert(c);
      if (e) children.push(e);
    }
  }
  return { tag, attrs: { ...(node[":@"] ?? {}) }, children, text };
}

/** Parse one XML document (`file` names it in errors) into its root element. */
export function parseXml(text: string, file: string): XmlElement {
  const ok = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (ok !== true) throw new HepflowError("XML_INVALID", `malformed XML: ${ok.err.msg} (line ${ok.err.line}, column ${ok.err.col})`, { file });
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  const roots = (parser.parse(text) as Ordered[]).map(convert).filter((e): e is XmlElement => e !== undefined);
  const [root] = roots;
  if (roots.length !== 1 || !root) throw new HepflowError("XML_INVALID", `expected one root element, found ${roots.length}`, { file });
  return root;
}

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Serialise an element tree, two-space indented, after a DOCTYPE line naming `dtd`. */
export function writeXml(root: XmlElement, dtd: string): string {
  const out: string[] = [`<!DOCTYPE ${root.tag} SYSTEM '${dtd}'>`, ""];
  const walk = (e: XmlElement, depth: number) => {
    const pad = "  ".repeat(depth);
    const attrs = Object.entries(e.attrs)
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join("");
    if (e.children.length === 0 && e.text === "") out.push(`${pad}<${e.tag}${attrs}/>`);
    else if (e.children.length === 0) out.push(`${pad}<${e.tag}${attrs}>${escapeText(e.text)}</${e.tag}>`);
    else {
      out.push(`${pad}<${e.tag}${attrs}>`);
      for (const c of e.children) walk(c, depth + 1);
      out.push(`${pad}</${e.tag}>`);
    }
  };
  walk(root, 0);
  return out.join("\n") + "\n";
}

/** Shorthand for building elements. */
export function el(tag: string, attrs: Record<string, string> = {}, children: XmlElement[] = [], text = ""): XmlElement {
  return { tag, attrs, children, text };
}
