import { readCloud } from './clouds-yaml';

const yaml = `
clouds:
  cnaf:
    region_name: RegionOne
    interface: internal
    auth:
      auth_url: http://keystone:5000
      username: macpool
      password: s3cret
      project_name: service
      user_domain_name: Default
      project_domain_name: Default
  partial:
    auth:
      auth_url: http://keystone:5000/v3
      username: macpool
`;

describe('clouds.yaml', () => {
  it('reads a cloud with password auth, adding /v3', () => {
    expect(readCloud(yaml, 'cnaf', 'clouds.yaml')).toEqual({
      authUrl: 'http://keystone:5000/v3',
      username: 'macpool',
      password: 's3cret',
      projectName: 'service',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      regionName: 'RegionOne',
      interface: 'internal',
    });
  });

  it('names what is missing or wrong', () => {
    expect(() => readCloud(yaml, 'nope', 'f.yaml')).toThrow('f.yaml: no cloud named "nope" (found: cnaf, partial)');
    expect(() => readCloud(yaml, 'partial', 'f.yaml')).toThrow('lacks auth.password, auth.project_name');
    expect(() => readCloud('clouds: [', 'x', 'f.yaml')).toThrow(/f.yaml: not valid YAML/);
    expect(() => readCloud('other: 1', 'x', 'f.yaml')).toThrow('f.yaml: no "clouds:" mapping');
  });
});
