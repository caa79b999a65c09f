import { parse } from 'yaml';
import { withCloud } from './clouds-file';

const CLOUD = {
  authUrl: 'https://keystone.test/v3',
  credentialId: 'ac1',
  credentialSecret: 's3cret',
  projectName: 'cms',
  expiresAt: '2027-01-01T00:00:00.000Z',
};

describe('clouds.yaml writing', () => {
  it('writes a new file with the application-credential cloud', () => {
    expect(parse(withCloud('', 'cms', CLOUD))).toEqual({
      clouds: {
        cms: {
          auth_type: 'v3applicationcredential',
          auth: { auth_url: 'https://keystone.test/v3', application_credential_id: 'ac1', application_credential_secret: 's3cret' },
          identity_api_version: 3,
          interface: 'public',
        },
      },
    });
  });

  it('replaces the named cloud and keeps the others and their comments', () => {
    const before = '# mine\nclouds:\n  other:\n    auth_type: password # keep\n  cms:\n    auth_type: token\n';
    const after = withCloud(before, 'cms', CLOUD);
    expect(after).toContain('# mine');
    expect(after).toContain('auth_type: password # keep');
    expect(parse(after).clouds.cms.auth.application_credential_id).toBe('ac1');
    expect(parse(after).clouds.cms.auth_type).toBe('v3applicationcredential');
  });

  it('refuses a file that is not a clouds.yaml', () => {
    expect(() => withCloud('- a\n- b\n', 'cms', CLOUD)).toThrow('not a clouds.yaml');
  });
});
