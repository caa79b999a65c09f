import { DOMParser } from '@xmldom/xmldom';
import { parser as saxParser, QualifiedTag } from 'sax';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { ExclusiveCanonicalizer } from './exc-c14n';

/** Ours, fed by the streaming parser as the metadata reader feeds it. */
function streamed(xml: string): string {
  let out = '';
  const c = new ExclusiveCanonicalizer((s) => (out += s));
  let depth = 0;
  const options = { xmlns: true, strictEntities: true };
  const sax = saxParser(true, options);
  sax.onopentag = (tag) => {
    depth++;
    c.open(tag as QualifiedTag);
  };
  sax.onclosetag = (name) => {
    depth--;
    c.close(name);
  };
  sax.ontext = (t) => depth > 0 && c.text(t);
  sax.oncdata = (t) => c.text(t);
  sax.write(xml).close();
  return out;
}

/** xml-crypto's, on a DOM: the reference the streaming one must agree with byte for byte. */
const reference = (xml: string) =>
  new ExclusiveCanonicalization().process(new DOMParser().parseFromString(xml, 'text/xml').documentElement as unknown as Element, {});

describe('streaming exclusive c14n', () => {
  const cases: Record<string, string> = {
    'namespaces declared high, used low, redeclared with the same URI': `<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:u"><b:x xmlns:b="urn:b"><a:y b:attr="1"/></b:x></a:root>`,
    'a prefix rebound to another URI below': `<p:r xmlns:p="urn:1"><p:c xmlns:p="urn:2"><p:d/></p:c><p:e/></p:r>`,
    'default namespace set, changed and undeclared': `<r xmlns="urn:d"><c xmlns="urn:e"><d xmlns=""><e/></d></c><f/></r>`,
    'attributes sorted by namespace URI then local name': `<r xmlns:z="urn:a" xmlns:a="urn:z" z:b="1" a:a="2" c="3" b="4" xml:lang="it"/>`,
    'escaping in text and attributes, entities and character references': `<r a="&lt;&amp;&quot;&#9;&#10;&#13;'&gt;">a &lt; b &amp;&amp; c &gt; d &#13; "q" 'e' &#x20AC;</r>`,
    'CDATA and comments': `<r><![CDATA[<x> & y]]><!-- gone -->z</r>`,
    'whitespace and empty elements': `<r>\n  <e></e>\n  <f/>\n</r>`,
    'metadata-like aggregate': `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" Name="n"><md:EntityDescriptor entityID="https://a"><md:Extensions><mdui:UIInfo><mdui:DisplayName xml:lang="it">Università</mdui:DisplayName></mdui:UIInfo></md:Extensions></md:EntityDescriptor></md:EntitiesDescriptor>`,
  };
  for (const [name, xml] of Object.entries(cases)) it(name, () => expect(streamed(xml)).toBe(reference(xml)));
});
