import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEEP, expectErrorShape } from './http-probes';
import type { EnvSpec, ServiceDefinition } from '../../libs/platform/src';
import { TestApp, startTestApp } from '../support/nest-app';
import { samlEnv } from '../support/saml-fixtures';

describe('hostile input: aai-bridge (text and JSON stored by PostgreSQL)', () => {
  const ADMIN = 'aai-hostile-admin-token-0123';
  const RULES = { rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] }] };
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      () =>
        (require('../../apps/aai-bridge/src/service') as typeof import('../../apps/aai-bridge/src/service'))
          .aaiBridgeService as unknown as ServiceDefinition<EnvSpec>,
      ADMIN,
      { AAI_ADMIN_TOKEN: ADMIN, ...samlEnv(mkdtempSync(join(tmpdir(), 'aai-hostile-')), 'http://127.0.0.1:8081') },
    );
  });
  afterAll(() => t.close());

  it('refuses NUL and lone surrogates before they reach a text or jsonb column', async () => {
    const comment = await t.http.put('/v1/mapping').query({ comment: 'new\u0000rules' }).set(t.admin).send(RULES);
    expect(comment.status).toBe(400);
    expect(comment.body.error).toMatchObject({ code: 'invalid_text', details: { field: 'comment', in: 'query' } });
    const keyed = await t.http
      .put('/v1/mapping')
      .set(t.admin)
      .send({ rules: [{ ...RULES.rules[0], local: [{ user: { name: '{0}', 'x\u0000': 1 } }] }] });
    expect(keyed.status).toBe(400);
    expect(keyed.body.error.code).toBe('invalid_text');
    const surrogate = await t.http
      .put('/v1/mapping')
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send('{"rules": [{"local": [{"user": {"name": "{0}\\udc00"}}], "remote": [{"type": "eduPersonPrincipalName"}]}]}');
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error).toMatchObject({ code: 'invalid_text', details: { field: 'rules[0].local[0].user.name' } });
    expect((await t.http.get('/v1/mapping').set(t.admin)).body.error.code).toBe('no_mapping_rules');
    expect((await t.http.put('/v1/mapping').query({ comment: 'ok' }).set(t.admin).send(RULES)).status).toBe(200);
  });

  it('refuses 40,000-level JSON and unknown query names', async () => {
    const deep = await t.http.put('/v1/mapping').set(t.admin).set('Content-Type', 'application/json').send(DEEP);
    expect(deep.status).toBe(400);
    expectErrorShape(deep.body, 'json_too_deep');
    const test = await t.http
      .post('/v1/mapping/test')
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(`{"assertion": {}, "rules": ${DEEP}}`);
    expect(test.status).toBe(400);
    const typo = await t.http.get('/v1/mapping/history').query({ limt: 1 }).set(t.admin);
    expect(typo.body.error).toMatchObject({ code: 'unknown_query_parameter', details: { unknown: ['limt'], allowed: ['limit'] } });
    expect((await t.http.get('/v1/mapping/history').query({ limit: 1 }).set(t.admin)).status).toBe(200);
  });
});
