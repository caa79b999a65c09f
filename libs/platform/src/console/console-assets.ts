import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/** Injection token: the folder holding one app's built console (index.html and assets/). */
export const CONSOLE_DIR = Symbol('CONSOLE_DIR');

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  /** Names carrying a content hash (assets/) never change: cached for good; the page itself is revalidated. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The repository root as seen from this file, in the sources (libs/platform/src/console) and in
 * the compiled output (dist/libs/platform/src/console) alike: the nearest folder with a package.json.
 */
export function defaultConsoleDir(app: string): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console', app);
}

/** Reads the built console's files; only what lies inside its folder, only known file types. */
@Injectable()
export class ConsoleAssets {
  constructor(@Inject(CONSOLE_DIR) private readonly root: string) {}

  /** `relative` as in the URL after /admin/ ('' is the page); null when there is no such file. */
  async find(relative: string): Promise<ConsoleFile | null> {
    const name = relative === '' ? 'index.html' : relative;
    const path = resolve(this.root, name);
    if (!path.startsWith(this.root + sep)) return null;
    const contentType = TYPES[extname(path)];
    if (!contentType) return null;
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    return { body: await readFile(path), contentType, immutable: name.startsWith('assets/') };
  }

  /** Like find, but a missing file is a 404 that says whether the console was built at all. */
  async read(relative: string): Promise<ConsoleFile> {
    const file = await this.find(relative);
    if (file) return file;
    if (relative === '' || !(await this.built()))
      throw DomainError.notFound('console_not_built', 'the admin console is not built here (npm run build)');
    throw DomainError.notFound('console_file_not_found', `no console file ${relative}`);
  }

  /** Whether `npm run build` produced this app's console. */
  async built(): Promise<boolean> {
    return (await stat(join(this.root, 'index.html')).catch(() => null))?.isFile() ?? false;
  }
}
