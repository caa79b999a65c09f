import { ConfigError, bool, byteSize, describeEnv, int, loadEnv, port, postgresUrl, str } from './env';

const spec = {
  PORT: port({ description: 'HTTP port', default: 8080 }),
  WORKERS: int({ description: 'workers', default: 2, min: 1, max: 8 }),
  DEBUG: bool({ description: 'debug', default: false }),
  TOKEN: str({ description: 'token', optional: true, secret: true, minLength: 16 }),
  DATABASE_URL: postgresUrl({ description: 'db', optional: true }),
  NAME: str({ description: 'required name' }),
};

describe('loadEnv', () => {
  it('applies defaults and parses values', () => {
    expect(loadEnv(spec, { NAME: 'x', WORKERS: '4', DEBUG: 'yes' })).toEqual({
      PORT: 8080,
      WORKERS: 4,
      DEBUG: true,
      TOKEN: undefined,
      DATABASE_URL: undefined,
      NAME: 'x',
    });
  });

  it('names every bad variable at once, hiding secrets', () => {
    let error: ConfigError | undefined;
    try {
      loadEnv(spec, { PORT: '70000', WORKERS: 'two', DEBUG: 'maybe', TOKEN: 'short-secret', DATABASE_URL: 'mysql://x' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'PORT="70000": must be <= 65535',
      'WORKERS="two": must be an integer',
      'DEBUG="maybe": must be true or false',
      'TOKEN=(secret, not shown): must be at least 16 characters',
      'DATABASE_URL="mysql://x": must start with postgres:// or postgresql://',
      'NAME is required: required name',
    ]);
    expect(error!.message).not.toContain('short-secret');
  });

  it('reads byte sizes', () => {
    const sizes = { LIMIT: byteSize({ description: 'limit', default: 1 }) };
    expect(loadEnv(sizes, { LIMIT: '64mb' }).LIMIT).toBe(64 * 1024 * 1024);
    expect(loadEnv(sizes, { LIMIT: '512' }).LIMIT).toBe(512);
    expect(() => loadEnv(sizes, { LIMIT: 'lots' })).toThrow(/LIMIT="lots": must be a size/);
  });

  it('describes the variables for --help', () => {
    expect(describeEnv(spec)).toMatch(/PORT\s+HTTP port \(default 8080\)/);
  });
});
