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
    expect(await assets.find('')).toMatchObject({ contentType: 'text/html; charset=utf-8', immutable: false });
    expect(await assets.find('assets/index-abc.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8', immutable: true });
    expect(await assets.built()).toBe(true);
  });

  it('serves nothing outside its folder, of an unknown type, or missing', async () => {
    expect(await assets.find('../outside.js')).toBeNull();
    expect(await assets.find('assets/../../outside.js')).toBeNull();
    expect(await assets.find('/etc/passwd')).toBeNull();
    expect(await assets.find('notes.md')).toBeNull();
    expect(await assets.find('assets/missing.js')).toBeNull();
    expect(await assets.find('assets')).toBeNull();
  });

  it('knows when the console was not built, and names that in the 404', async () => {
    const none = new ConsoleAssets(join(parent, 'none'));
    expect(await none.built()).toBe(false);
    await expect(none.read('assets/x.js')).rejects.toMatchObject({ kind: 'not_found', code: 'console_not_built' });
    await expect(assets.read('assets/x.js')).rejects.toMatchObject({ kind: 'not_found', code: 'console_file_not_found' });
    expect((await assets.read('')).contentType).toContain('text/html');
  });

  it('finds the build under the repository root, from the sources as from dist', () => {
    expect(defaultConsoleDir('aai-bridge')).toBe(join(__dirname, '../../../..', 'dist', 'console', 'aai-bridge'));
  });
});
