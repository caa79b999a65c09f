import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startAaiBridge } from '../support/aai-bridge-app';

const RULES = {
  rules: [
    { local: [{ user: { name: '{0}', email: '{1}' } }], remote: [{ type: 'eduPersonPrincipalName' }, { type: 'mail' }] },
    { local: [{ projects: [{ name: 'cms', roles: [{ name: 'member' }] }] }], remote: [{ type: 'isMemberOf', any_one_of: ['infn:cms'] }] },
  ],
};

describe('aai-bridge: mapping rules API (real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startAaiBridge();
  });
  afterAll(() => t.close());

  it('has no rules at first, then stores versions with who and when', async () => {
    expect((await t.http.get('/v1/mapping').set(t.admin)).body.error.code).toBe('no_mapping_rules');
    const v1 = await t.http.put('/v1/mapping').query({ comment: 'first' }).set(t.admin).send(RULES);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ version: 1, actor: 'admin', comment: 'first' });
    const v2 = await t.http.put('/v1/mapping').set(t.admin).send(RULES.rules.slice(0, 1));
    expect(v2.body.version).toBe(2);
    expect((await t.http.get('/v1/mapping').set(t.admin)).body.rules).toHaveLength(1);
    const history = await t.http.get('/v1/mapping/history').set(t.admin);
    expect(history.body.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('refuses invalid rules with problems pointing at the rule (422), keeping the current version', async () => {
    const bad = await t.http
      .put('/v1/mapping')
      .set(t.admin)
      .send({ rules: [{ local: [{ user: { name: 1 } }], remote: [{ type: 'x', whitelist: 'y' }] }] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.problems).toEqual([
      { path: 'rules[0].local[0].user.name', message: 'must be a string' },
      { path: 'rules[0].remote[0].whitelist', message: 'must be a list' },
    ]);
    expect((await t.http.get('/v1/mapping').set(t.admin)).body.version).toBe(2);
  });

  it('dry-runs an assertion with given or stored rules; 422 where Keystone finds no mapping', async () => {
    const res = await t.http
      .post('/v1/mapping/test')
      .set(t.admin)
      .send({
        rules: RULES,
        assertion: { eduPersonPrincipalName: 'alice@infn.it', mail: 'alice@cnaf.infn.it', isMemberOf: 'infn:cms;infn:lhcb' },
      });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { name: 'alice@infn.it', email: 'alice@cnaf.infn.it', type: 'ephemeral' },
      group_ids: [],
      group_names: [],
      projects: [{ name: 'cms', roles: [{ name: 'member' }] }],
    });
    const stored = await t.http
      .post('/v1/mapping/test')
      .set(t.admin)
      .send({ assertion: { eduPersonPrincipalName: 'b', mail: 'b@x' } });
    expect(stored.body.projects).toEqual([]);
    const none = await t.http
      .post('/v1/mapping/test')
      .set(t.admin)
      .send({ assertion: { other: 'x' } });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('no_mapping');
    expect((await t.http.post('/v1/mapping/test').set(t.admin).send({})).status).toBe(400);
  });

  it('lets readers test but not change rules; nobody without a token', async () => {
    const reader = await t.tokenFor('reader');
    expect(
      (
        await t.http
          .post('/v1/mapping/test')
          .set(reader)
          .send({ assertion: { eduPersonPrincipalName: 'c', mail: 'c' } })
      ).status,
    ).toBe(200);
    expect((await t.http.put('/v1/mapping').set(reader).send(RULES)).status).toBe(403);
    expect((await t.http.put('/v1/mapping').send(RULES)).status).toBe(401);
  });
});

describe('aai-bridge mapping test CLI (offline)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aai-cli-'));
    await writeFile(join(dir, 'rules.json'), JSON.stringify(RULES));
    await writeFile(
      join(dir, 'in.txt'),
      'eduPersonPrincipalName: alice@infn.it\nmail: alice@cnaf.infn.it\nisMemberOf: infn:cms;infn:lhcb\n',
    );
    await writeFile(join(dir, 'none.txt'), 'other: x\n');
    await writeFile(join(dir, 'bad.txt'), 'no colon here\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(__dirname, '../../bin/aai-bridge.js'), ...args], { encoding: 'utf8' });

  it("prints keystone-manage's JSON, and exits 1 when nothing maps", () => {
    const ok = cli('mapping', 'test', '--rules', join(dir, 'rules.json'), '--input', join(dir, 'in.txt'));
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).projects).toEqual([{ name: 'cms', roles: [{ name: 'member' }] }]);
    const none = cli('mapping', 'test', '--rules', join(dir, 'rules.json'), '--input', join(dir, 'none.txt'));
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('Could not map any federated user properties');
    const bad = cli('mapping', 'test', '--rules', join(dir, 'rules.json'), '--input', join(dir, 'bad.txt'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("line 1: expected 'key: value'");
  });
});
