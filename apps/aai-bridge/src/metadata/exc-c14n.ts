import type { QualifiedTag } from 'sax';

/**
 * Exclusive XML canonicalization (xml-exc-c14n, without comments, no InclusiveNamespaces) written
 * as the parser goes, so a large signed document is digested without a DOM. Each element renders
 * the namespaces it visibly uses that its output ancestors did not already render with the same
 * URI; attributes sorted by namespace URI then local name; text and attribute values escaped as
 * the specification says (what is hashed is an unambiguous rendering of what is read).
 */
export class ExclusiveCanonicalizer {
  /** Namespaces rendered by the open output ancestors: prefix → URI ('' is the default namespace). */
  private readonly rendered: Array<Map<string, string>> = [new Map([['', '']])];

  constructor(private readonly out: (s: string) => void) {}

  open(tag: QualifiedTag): void {
    const context = this.rendered[this.rendered.length - 1];
    const attributes = Object.values(tag.attributes).filter((a) => a.prefix !== 'xmlns');
    const used = new Set<string>([tag.prefix]);
    for (const a of attributes) if (a.prefix) used.add(a.prefix);
    used.delete('xml');
    const declarations: Array<[string, string]> = [];
    for (const prefix of used) {
      const uri = tag.ns[prefix] ?? '';
      if (context.get(prefix) !== uri) declarations.push([prefix, uri]);
    }
    let next = context;
    if (declarations.length) {
      next = new Map(context);
      for (const [prefix, uri] of declarations) next.set(prefix, uri);
      declarations.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    }
    this.rendered.push(next);
    attributes.sort((a, b) => (a.uri !== b.uri ? (a.uri < b.uri ? -1 : 1) : a.local < b.local ? -1 : a.local > b.local ? 1 : 0));
    let s = `<${tag.name}`;
    for (const [prefix, uri] of declarations)
      s += prefix ? ` xmlns:${prefix}="${escapeAttribute(uri)}"` : ` xmlns="${escapeAttribute(uri)}"`;
    for (const a of attributes) s += ` ${a.name}="${escapeAttribute(a.value)}"`;
    this.out(`${s}>`);
  }

  close(name: string): void {
    this.rendered.pop();
    this.out(`</${name}>`);
  }

  text(text: string): void {
    this.out(escapeText(text));
  }
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

const escapeText = (s: string) => (/[&<>\r]/.test(s) ? s.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]) : s);
const escapeAttribute = (s: string) => (/[&<"\t\n\r]/.test(s) ? s.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]) : s);
