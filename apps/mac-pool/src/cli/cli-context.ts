import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ApiClient, fail } from '@app/cli';

/** What every command needs: the API client (built on first use) and the output switch. */
export interface CliContext {
  client(): ApiClient;
  /** Prints `value` as JSON under --json, else the human text. */
  print(value: unknown, human: () => string): void;
}

export function failMacpool(message: string, code = 1): never {
  return fail('macpool', message, code);
}

export function cliContext(program: Command): CliContext {
  return {
    client() {
      const url = process.env.MACPOOL_URL ?? 'http://127.0.0.1:8080';
      let token = process.env.MACPOOL_TOKEN;
      if (!token && process.env.MACPOOL_TOKEN_FILE) token = readFileSync(process.env.MACPOOL_TOKEN_FILE, 'utf8').trim();
      if (!token)
        failMacpool(
          'no token: set MACPOOL_TOKEN (or MACPOOL_TOKEN_FILE); `npm start` writes the first admin token to .data/mac-pool/admin-token',
          2,
        );
      return new ApiClient({ name: 'mac-pool', baseUrl: url, token });
    },
    print(value, human) {
      const json = program.opts().json as boolean;
      process.stdout.write(`${json ? JSON.stringify(value, null, 2) : human()}\n`);
    },
  };
}

/** Aligned columns under upper-cased headers. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

export const integer = (v: string) => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('must be an integer');
  return Number(v);
};

/** For repeatable options: each use adds a value. */
export const collect = (v: string, prev: string[] = []) => [...prev, v];
