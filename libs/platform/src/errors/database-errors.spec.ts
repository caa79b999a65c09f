import { isDatabaseUnavailable, isUnstorableText } from './database-errors';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a database that can not be reached, also wrapped by TypeORM or in an AggregateError', () => {
    expect(isDatabaseUnavailable(pgError('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')]))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('query failed'), { driverError: pgError('57P01') }))).toBe(true);
    expect(isDatabaseUnavailable(pgError('08006'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('53300'))).toBe(true);
  });

  it('leaves errors of the query itself alone', () => {
    for (const code of ['23505', '42P01', '22P02', '40001']) expect(isDatabaseUnavailable(pgError(code))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('isUnstorableText', () => {
  it('recognises a NUL PostgreSQL refused, in text or jsonb', () => {
    expect(isUnstorableText(pgError('22021'))).toBe(true);
    expect(isUnstorableText(Object.assign(new Error('q'), { driverError: pgError('22P05') }))).toBe(true);
    expect(isUnstorableText(pgError('23505'))).toBe(false);
  });
});
