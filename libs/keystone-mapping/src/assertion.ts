import { Assertion } from './engine';

/**
 * Keystone's `mapping_engine --input` format: `name: value` lines, several values joined with `;`.
 * Throws naming the line, as keystone-manage does.
 */
export function parseAssertionText(text: string): Assertion {
  const out: Assertion = {};
  text
    .trim()
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '') return;
      const colon = line.indexOf(':');
      if (colon < 0) throw new Error(`assertion line ${i + 1}: expected 'key: value' but found '${line}'`);
      out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    });
  return out;
}
