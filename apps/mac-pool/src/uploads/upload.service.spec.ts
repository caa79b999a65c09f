import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PoolEntry, rangeSize } from '@app/mac';
import { AuditRepository, DomainError, Principal } from '@app/platform';
import { UploadSpoolFiles } from './upload-spool';
import { UploadCounts, UploadRepository } from './upload.repository';
import { UploadRequest, UploadService } from './upload.service';
import { MacPoolConfig } from '../config';
import { Pool } from '../pools/pool';
import { PoolService } from '../pools/pool.service';

const tier1: Pool = {
  id: 7,
  name: 'tier1',
  description: '',
  scope: { networkIds: [], projectIds: [], availabilityZones: [] },
  priority: 100,
  quarantineSeconds: 0,
  reservationTtlSeconds: 300,
  allowUniversal: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

const admin: Principal = { name: 'admin', role: 'admin' };
const counts: UploadCounts = { added: 2, updated: 0, removed: 0, unchanged: 0 };

/** The service with every collaborator faked; `transactions` tells whether each one committed or rolled back. */
function setup() {
  const copied: PoolEntry[] = [];
  const straight: string[] = [];
  const writer = {
    rows: 0,
    add: jest.fn((entry: PoolEntry) => {
      copied.push(entry);
      writer.rows += rangeSize(entry);
      return undefined;
    }),
    drain: jest.fn(async () => undefined),
    end: jest.fn(async () => undefined),
  };
  const spool = { writer, read: jest.fn(() => Readable.from([])), discard: jest.fn(async () => undefined) };
  const spools = { create: jest.fn(async () => spool) };
  const uploads = {
    createStaging: jest.fn(async () => undefined),
    copyIntoStaging: jest.fn(async () => undefined),
    analyzeStaging: jest.fn(async () => undefined),
    // A pool that holds MACs: the staged path, unless a test says otherwise.
    poolIsEmpty: jest.fn(async () => false),
    // Reads the rows as the COPY would: the parse runs, and a bad line ends it.
    copyIntoPool: jest.fn(async (_m: unknown, _poolId: number, rows: Readable) => {
      for await (const row of rows) straight.push(String(row));
      return true;
    }),
    duplicatesInFile: jest.fn(async () => ({ total: 0, rows: [] as Array<{ line: number; mac: string; reason: string }> })),
    overlap: jest.fn(async () => ({ samePool: 0, otherPools: 0 })),
    inOtherPools: jest.fn(async () => [] as Array<{ line: number; mac: string; reason: string }>),
    liveMissingFromFile: jest.fn(async () => ({ total: 0, rows: [] as Array<{ mac: string; state: string; portId: string }> })),
    freeMissingFromFile: jest.fn(async () => ({ total: 0, macs: [] as string[] })),
    merge: jest.fn(async () => counts),
  };
  const transactions: Array<'committed' | 'rolled back'> = [];
  const db = {
    transaction: async (work: (m: unknown) => Promise<unknown>) => {
      try {
        const result = await work({});
        transactions.push('committed');
        return result;
      } catch (err) {
        transactions.push('rolled back');
        throw err;
      }
    },
  };
  const pools = { listForAllocation: jest.fn(async () => [tier1]), get: jest.fn(), lockForChange: jest.fn(async () => tier1) };
  const audit = { record: jest.fn(async () => undefined) };
  const config = {
    MACPOOL_MAX_RANGE: 2 ** 24,
    MACPOOL_MAX_UPLOAD_MACS: 1000,
    MACPOOL_MAX_REPORTED_ERRORS: 10,
    MACPOOL_MAX_LINE_LENGTH: 4096,
    MACPOOL_JSON_UPLOAD_LIMIT: 1024,
  };
  const service = new UploadService(
    db as unknown as DataSource,
    pools as unknown as PoolService,
    uploads as unknown as UploadRepository,
    spools as unknown as UploadSpoolFiles,
    audit as unknown as AuditRepository,
    config as unknown as MacPoolConfig,
  );
  return { service, uploads, writer, copied, straight, transactions, audit, spool, pools };
}

async function* bytes(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

const request = (text: string, options: Partial<UploadRequest> = {}): UploadRequest => ({
  pool: 'tier1',
  replace: false,
  dryRun: false,
  format: 'text',
  body: bytes(text),
  actor: admin,
  ...options,
});

const TWO_MACS = '02:00:00:00:00:01\n02:00:00:00:00:02\n';

describe('UploadService.upload', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('into an empty pool: parses while COPYing straight into macs, skipping spool, staging, checks and merge', async () => {
    const { service, uploads, audit, transactions, straight, writer } = setup();
    uploads.poolIsEmpty.mockResolvedValue(true);
    await expect(service.upload(request(TWO_MACS))).resolves.toEqual({ added: 2, updated: 0, removed: 0, unchanged: 0, dryRun: false });
    expect(uploads.copyIntoPool).toHaveBeenCalledWith(expect.anything(), tier1.id, expect.anything(), 'pool');
    expect(straight.join('')).toBe('7\t02:00:00:00:00:01\t\\N\t\\N\t\\N\t\\N\n7\t02:00:00:00:00:02\t\\N\t\\N\t\\N\t\\N\n');
    expect(writer.add).not.toHaveBeenCalled();
    expect(uploads.createStaging).not.toHaveBeenCalled();
    expect(uploads.merge).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'pool.add_macs' }), expect.anything());
    expect(transactions).toEqual(['committed']);
  });

  it('into an empty pool: a make-equal dry run reports nothing to remove and rolls back', async () => {
    const { service, uploads, transactions } = setup();
    uploads.poolIsEmpty.mockResolvedValue(true);
    await expect(service.upload(request(TWO_MACS, { replace: true, dryRun: true }))).resolves.toEqual({
      added: 2,
      updated: 0,
      removed: 0,
      unchanged: 0,
      dryRun: true,
      removing: [],
      removingTotal: 0,
    });
    expect(transactions).toEqual(['rolled back']);
  });

  it('into an empty pool: when the primary key refuses the COPY, stages and checks to name the bad lines', async () => {
    const { service, uploads, transactions } = setup();
    uploads.poolIsEmpty.mockResolvedValue(true);
    uploads.copyIntoPool.mockResolvedValue(false);
    uploads.duplicatesInFile.mockResolvedValue({ total: 1, rows: [{ line: 2, mac: '02:00:00:00:00:01', reason: 'duplicate of line 1' }] });
    await expect(service.upload(request('02:00:00:00:00:01\n02:00:00:00:00:01\n'))).rejects.toMatchObject({
      code: 'invalid_upload',
      details: { errorCount: 1, errors: [{ line: 2, code: 'duplicate_in_file' }] },
    });
    expect(uploads.copyIntoStaging).toHaveBeenCalled();
    expect(transactions).toEqual(['rolled back']);
  });

  it('into an empty pool: the first bad line abandons the straight COPY; the file is parsed again, staged and every bad line listed', async () => {
    const { service, uploads, transactions, copied } = setup();
    uploads.poolIsEmpty.mockResolvedValue(true);
    await expect(service.upload(request('02:00:00:00:00:01\nnot a mac\n02:00:00:00:00:03\nno mac either\n'))).rejects.toMatchObject({
      code: 'invalid_upload',
      details: {
        errorCount: 2,
        errors: [
          { line: 2, code: 'invalid_format' },
          { line: 4, code: 'invalid_format' },
        ],
      },
    });
    expect(uploads.copyIntoPool).toHaveBeenCalledTimes(1);
    expect(copied.map((e) => e.line)).toEqual([1, 3]);
    expect(transactions).toEqual(['rolled back']);
  });

  it('into an empty pool: a replace with no MAC is refused (empty_replace) unless allowEmpty', async () => {
    const { service, uploads, audit } = setup();
    uploads.poolIsEmpty.mockResolvedValue(true);
    await expect(service.upload(request('# nothing\n', { replace: true }))).rejects.toMatchObject({ code: 'empty_replace' });
    await expect(service.upload(request('# nothing\n', { replace: true, allowEmpty: true }))).resolves.toMatchObject({
      added: 0,
      removed: 0,
    });
    expect(audit.record).toHaveBeenCalledTimes(1);
  });

  it('adds: merges without removing, and records pool.add_macs', async () => {
    const { service, uploads, audit, transactions } = setup();
    await expect(service.upload(request(TWO_MACS))).resolves.toEqual({ ...counts, dryRun: false });
    expect(uploads.merge).toHaveBeenCalledWith(expect.anything(), tier1.id, false, 2, 0);
    expect(uploads.liveMissingFromFile).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'pool.add_macs', target: 'tier1' }), expect.anything());
    expect(transactions).toEqual(['committed']);
  });

  it('makes the pool equal to the file on replace, once no live MAC would be dropped', async () => {
    const { service, uploads, audit } = setup();
    await service.upload(request(TWO_MACS, { replace: true }));
    expect(uploads.liveMissingFromFile).toHaveBeenCalledWith(expect.anything(), tier1.id, 10);
    expect(uploads.merge).toHaveBeenCalledWith(expect.anything(), tier1.id, true, 2, 0);
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'pool.replace_macs' }), expect.anything());
  });

  it('refuses a replace that leaves out reserved or allocated MACs, listing them, and writes nothing', async () => {
    const { service, uploads, transactions } = setup();
    uploads.liveMissingFromFile.mockResolvedValue({ total: 1, rows: [{ mac: '02:00:00:00:00:09', state: 'allocated', portId: 'port-9' }] });
    const err = await service.upload(request(TWO_MACS, { replace: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      kind: 'unprocessable',
      code: 'invalid_upload',
      details: { errorCount: 1, errors: [{ line: null, input: '02:00:00:00:00:09', code: 'would_remove_live_mac' }] },
    });
    expect(uploads.merge).not.toHaveBeenCalled();
    expect(transactions).toEqual(['rolled back']);
  });

  it('dry run: reports the counts, rolls the transaction back and records nothing', async () => {
    const { service, uploads, audit, transactions } = setup();
    await expect(service.upload(request(TWO_MACS, { dryRun: true }))).resolves.toEqual({ ...counts, dryRun: true });
    expect(uploads.merge).toHaveBeenCalled();
    expect(transactions).toEqual(['rolled back']);
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('make-equal dry run: lists the MACs it would remove (bounded by MACPOOL_MAX_REPORTED_ERRORS) before the merge', async () => {
    const { service, uploads, transactions } = setup();
    const order: string[] = [];
    uploads.freeMissingFromFile.mockImplementation(async () => {
      order.push('list');
      return { total: 12, macs: ['02:00:00:00:00:0a'] };
    });
    uploads.merge.mockImplementation(async () => {
      order.push('merge');
      return { ...counts, removed: 12 };
    });
    await expect(service.upload(request(TWO_MACS, { replace: true, dryRun: true }))).resolves.toEqual({
      ...counts,
      removed: 12,
      dryRun: true,
      removing: ['02:00:00:00:00:0a'],
      removingTotal: 12,
    });
    expect(uploads.freeMissingFromFile).toHaveBeenCalledWith(expect.anything(), tier1.id, 10);
    expect(order).toEqual(['list', 'merge']);
    expect(transactions).toEqual(['rolled back']);
  });

  it('lists nothing to remove for an applied make-equal or any add', async () => {
    const { service, uploads } = setup();
    await expect(service.upload(request(TWO_MACS, { replace: true }))).resolves.not.toHaveProperty('removing');
    await expect(service.upload(request(TWO_MACS, { dryRun: true }))).resolves.not.toHaveProperty('removing');
    expect(uploads.freeMissingFromFile).not.toHaveBeenCalled();
  });

  it('refuses MACs already in another pool, naming the pool per line', async () => {
    const { service, uploads, transactions } = setup();
    uploads.overlap.mockResolvedValue({ samePool: 0, otherPools: 1 });
    uploads.inOtherPools.mockResolvedValue([{ line: 2, mac: '02:00:00:00:00:02', reason: 'already in pool tier2' }]);
    await expect(service.upload(request(TWO_MACS))).rejects.toMatchObject({
      code: 'invalid_upload',
      details: { errorCount: 1, errors: [{ line: 2, code: 'in_other_pool', reason: 'already in pool tier2' }] },
    });
    expect(uploads.merge).not.toHaveBeenCalled();
    expect(transactions).toEqual(['rolled back']);
  });

  it('lists syntax errors, in-file duplicates and MACs of other pools in one reply, by line', async () => {
    const { service, uploads, copied, transactions } = setup();
    uploads.duplicatesInFile.mockResolvedValue({ total: 1, rows: [{ line: 5, mac: '02:00:00:00:00:01', reason: 'duplicate of line 1' }] });
    uploads.overlap.mockResolvedValue({ samePool: 0, otherPools: 1 });
    uploads.inOtherPools.mockResolvedValue([{ line: 3, mac: '02:00:00:00:00:03', reason: 'already in pool tier2' }]);
    const err = await service
      .upload(request('02:00:00:00:00:01\nnot a mac\n02:00:00:00:00:03\n01:00:5e:00:00:01\n02:00:00:00:00:01\n'))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_upload', details: { errorCount: 4 } });
    const listed = (err as DomainError & { details: { errors: Array<{ line: number; code: string }> } }).details.errors;
    expect(listed.map((e) => [e.line, e.code])).toEqual([
      [2, 'invalid_format'],
      [3, 'in_other_pool'],
      [4, 'multicast'],
      [5, 'duplicate_in_file'],
    ]);
    // The good lines are staged so that the database checks see them too.
    expect(copied.map((e) => e.line)).toEqual([1, 3, 5]);
    expect(uploads.merge).not.toHaveBeenCalled();
    expect(transactions).toEqual(['rolled back']);
  });

  it('lists at most MACPOOL_MAX_REPORTED_ERRORS, the first by line, and gives the total', async () => {
    const { service, uploads } = setup();
    uploads.duplicatesInFile.mockResolvedValue({
      total: 30,
      rows: Array.from({ length: 10 }, (_, i) => ({ line: 2 * i + 2, mac: 'm', reason: 'duplicate of line 1' })),
    });
    const text = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? `bad ${i}` : '02:00:00:00:00:01')).join('\n');
    const err = (await service.upload(request(text)).catch((e: unknown) => e)) as {
      details: { errorCount: number; errors: Array<{ line: number }> };
    };
    expect(err.details.errorCount).toBe(40);
    expect(err.details.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('cuts each echoed input to 200 characters and an ellipsis', async () => {
    const { service } = setup();
    const err = (await service.upload(request(`${'z'.repeat(1000)}\n`)).catch((e: unknown) => e)) as {
      details: { errors: Array<{ input: string }> };
    };
    expect(err.details.errors[0].input).toBe(`${'z'.repeat(200)}…`);
  });

  it('refuses a replace with no MAC (empty_replace) before any database work, unless allowEmpty', async () => {
    const { service, uploads, transactions } = setup();
    await expect(service.upload(request('# nothing\n', { replace: true }))).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'empty_replace',
    });
    expect(uploads.createStaging).not.toHaveBeenCalled();
    expect(transactions).toEqual([]);
    await expect(service.upload(request('', { replace: true, allowEmpty: true }))).resolves.toMatchObject({ dryRun: false });
    expect(uploads.merge).toHaveBeenCalledWith(expect.anything(), tier1.id, true, 0, 0);
  });

  it('reads the whole body before the transaction: a body that fails mid-way never opens one, and the spool is discarded', async () => {
    const { service, transactions, spool, uploads } = setup();
    async function* vanishing(): AsyncGenerator<Buffer> {
      yield Buffer.from('02:00:00:00:00:01\n');
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(service.upload(request('', { body: vanishing() }))).rejects.toThrow('aborted');
    expect(transactions).toEqual([]);
    expect(uploads.createStaging).not.toHaveBeenCalled();
    expect(spool.discard).toHaveBeenCalled();
  });

  it('answers pool_changed when the pool changed its universal-MAC policy while the body was read', async () => {
    const { service, pools, uploads } = setup();
    pools.lockForChange.mockResolvedValue({ ...tier1, allowUniversal: true });
    await expect(service.upload(request(TWO_MACS))).rejects.toMatchObject({ kind: 'conflict', code: 'pool_changed' });
    expect(uploads.merge).not.toHaveBeenCalled();
  });

  it('JSON: unreadable syntax is invalid_json (400), a body over MACPOOL_JSON_UPLOAD_LIMIT too_large', async () => {
    const { service } = setup();
    await expect(service.upload(request('[1,', { format: 'json' }))).rejects.toMatchObject({ kind: 'invalid', code: 'invalid_json' });
    await expect(service.upload(request(JSON.stringify(Array(200).fill('02:00:00:00:00:01')), { format: 'json' }))).rejects.toMatchObject({
      kind: 'too_large',
    });
  });

  it('refuses an upload over MACPOOL_MAX_UPLOAD_MACS once ranges are expanded', async () => {
    const { service } = setup();
    await expect(service.upload(request('02:00:00:00:00:01-02:00:00:00:04:00\n'))).rejects.toMatchObject({
      code: 'upload_too_large',
      details: { line: 1 },
    });
  });

  it('answers concurrent_upload when another upload committed one of the MACs meanwhile', async () => {
    const { service, uploads } = setup();
    uploads.merge.mockRejectedValue(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }));
    await expect(service.upload(request(TWO_MACS))).rejects.toMatchObject({ kind: 'conflict', code: 'concurrent_upload' });
  });
});
