import type { DatabaseNotifications, NotificationSubscriber } from '@app/platform';
import { POOL_CHANGES_CHANNEL } from './pool-changes';
import { PoolDirectory } from './pool-directory';
import { aPool } from './pool.fixture';
import type { PoolRepository } from './pool.repository';

function build() {
  const reads = { count: 0 };
  const pools = { list: async () => (reads.count++, [aPool({ name: `read-${reads.count}` })]) } as unknown as PoolRepository;
  let subscriber: NotificationSubscriber | undefined;
  const notifications = {
    subscribe: (channel: string, s: NotificationSubscriber) => {
      expect(channel).toBe(POOL_CHANGES_CHANNEL);
      subscriber = s;
    },
  } as unknown as DatabaseNotifications;
  const directory = new PoolDirectory(pools, notifications);
  return { directory, reads, channel: () => subscriber! };
}

describe('PoolDirectory', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('while it hears of every change, keeps the list until a change is announced, however long that takes', async () => {
    const { directory, reads, channel } = build();
    channel().onListening(true);
    await directory.list();
    jest.setSystemTime(Date.now() + 3_600_000);
    expect((await directory.list())[0].name).toBe('read-1');
    expect(reads.count).toBe(1);
    channel().onNotify('UPDATE');
    expect((await directory.list())[0].name).toBe('read-2');
  });

  it('while the channel is down, reads again after a second (a change on another node is missed no longer)', async () => {
    const { directory, reads, channel } = build();
    channel().onListening(true);
    await directory.list();
    channel().onListening(false); // changes may be missed from now on: the kept list is dropped
    await directory.list();
    expect(reads.count).toBe(2);
    jest.setSystemTime(Date.now() + 500);
    await directory.list();
    expect(reads.count).toBe(2);
    jest.setSystemTime(Date.now() + 600);
    await directory.list();
    expect(reads.count).toBe(3);
  });

  it('reads afresh when asked to, and after a local change', async () => {
    const { directory, reads, channel } = build();
    channel().onListening(true);
    await directory.list();
    await directory.list({ fresh: true });
    directory.invalidate();
    await directory.list();
    expect(reads.count).toBe(3);
  });

  it('does not keep a failed read', async () => {
    const { directory, channel } = build();
    channel().onListening(true);
    let fail = true;
    const repo = (directory as unknown as { pools: { list: () => Promise<unknown> } }).pools;
    const ok = repo.list;
    repo.list = () => (fail ? Promise.reject(new Error('database down')) : ok());
    await expect(directory.list()).rejects.toThrow('database down');
    fail = false;
    expect((await directory.list())[0]).toMatchObject({ name: expect.stringMatching(/^read-/) });
  });
});
