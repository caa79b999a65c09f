import { MAX_SERIAL_ID, ParseIdPipe } from './parse-id.pipe';
import { ApiError } from '../errors/api-error';

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();
  const parse = (value: string) => pipe.transform(value, { type: 'param', data: 'id' });

  it('takes the ids a serial column holds', () => {
    expect(parse('1')).toBe(1);
    expect(parse('0042')).toBe(42);
    expect(parse(String(MAX_SERIAL_ID))).toBe(2147483647);
  });

  it('refuses what PostgreSQL would refuse inside the query, and what is no id, naming the parameter', () => {
    for (const value of ['2147483648', '9007199254740994', '99999999999', '0', '-1', '+1', '1.0', '1e3', ' 1', '0x10', '', 'abc']) {
      let thrown: unknown;
      try {
        parse(value);
      } catch (err) {
        thrown = err;
      }
      expect([value, thrown]).toEqual([value, expect.any(ApiError)]);
      expect(thrown).toMatchObject({ status: 400, code: 'invalid_id', details: { field: 'id', in: 'path' } });
    }
  });
});
