import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets, defaultConsoleDir } from './console-assets';

describe('ConsoleAssets', () => {
  const parent = mkdtempSync(join(tmpdir(), 'console-assets-'));
  const root = join(parent, 'mac-pool');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'x');
  writeFileSync(join(root, 'notes.md'), 'secret');
  writeFileSync(join(parent, 'outside.js'), 'no');
  const assets = new ConsoleAssets(root);

  it('serves the page for the empty path, revalidated, and hashed assets as immutable', async () => {
    expect(await assets.read('')).toMatchObject({ contentType: 'text/html; charset=utf-8', immutable: false });
    expect(await assets.read('assets/index-abc.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8', immutable: true });
    expect(await assets.built()).toBe(true);
  });

  it('serves nothing outside its folder, of an unknown type, or missing', async () => {
    expect(await assets.read('../outside.js')).toBeNull();
    expect(await assets.read('assets/../../outside.js')).toBeNull();
    expect(await assets.read('/etc/passwd')).toBeNull();
    expect(await assets.read('notes.md')).toBeNull();
    expect(await assets.read('assets/missing.js')).toBeNull();
    expect(await assets.read('assets')).toBeNull();
  });

  it('knows when the console was not built', async () => {
    expect(await new ConsoleAssets(join(parent, 'none')).built()).toBe(false);
  });

  it('finds the build under the repository root, from the sources as from dist', () => {
    expect(defaultConsoleDir('aai-bridge')).toBe(join(__dirname, '../../../..', 'dist', 'console', 'aai-bridge'));
  });
});
