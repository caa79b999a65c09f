import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { poolRowsOf } from './copy-rows';

const poolRows = (chunks: Buffer[], poolId = 7) => text(Readable.from(chunks).pipe(poolRowsOf(poolId)));

describe('poolRowsOf', () => {
  const staged = '1\t02:00:00:00:00:01\thost-1\t\\N\t\\N\track 1\n12\t02:00:00:00:00:02\t\\N\t\\N\t\\N\tcafé ☕ 1\t2\n';

  it('puts the pool id where each staged row has its line number, and nothing else changes', async () => {
    await expect(poolRows([Buffer.from(staged)])).resolves.toBe(
      '7\t02:00:00:00:00:01\thost-1\t\\N\t\\N\track 1\n7\t02:00:00:00:00:02\t\\N\t\\N\t\\N\tcafé ☕ 1\t2\n',
    );
  });

  it('gives the same rows whatever byte the chunks are cut at, inside a line number or a UTF-8 character included', async () => {
    const bytes = Buffer.from(staged);
    const whole = await poolRows([bytes]);
    for (let cut = 1; cut < bytes.length; cut++) {
      await expect(poolRows([bytes.subarray(0, cut), bytes.subarray(cut)])).resolves.toBe(whole);
    }
  });

  it('refuses rows that do not end with a newline', async () => {
    await expect(poolRows([Buffer.from('1\t02:00:00:00:00:01\t\\N\t\\N\t\\N\t\\N')])).rejects.toThrow('without a newline');
  });
});
