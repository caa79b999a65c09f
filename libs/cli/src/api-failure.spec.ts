import { ApiFailure, failureText } from './api-failure';

describe('failureText', () => {
  it('lists the bad lines of an upload, and how many more were not listed', () => {
    const err = new ApiFailure(422, 'invalid_upload', '3 bad lines in the upload (first 2 listed)', {
      errors: [
        { line: 2, input: 'bogus', reason: 'mac: not a MAC address' },
        { line: null, input: '02:00:00:00:00:05', reason: 'allocated to port p' },
      ],
      errorCount: 3,
    });
    expect(failureText(err, { withStatus: true })).toBe(
      '3 bad lines in the upload (first 2 listed)\n  line 2: bogus: mac: not a MAC address\n  (not in file): 02:00:00:00:00:05: allocated to port p\n  ... and 1 more',
    );
  });

  it('lists the problems of refused rules', () => {
    const err = new ApiFailure(422, 'invalid_rules', 'rules refused', { problems: [{ path: 'rules[0].local', message: 'required' }] });
    expect(failureText(err, { withStatus: false })).toBe('rules refused\n  rules[0].local: required');
  });

  it('adds the status and code only when asked and when the service answered', () => {
    const refused = new ApiFailure(404, 'pool_not_found', 'no pool named "x"');
    expect(failureText(refused, { withStatus: true })).toBe('no pool named "x" (HTTP 404, pool_not_found)');
    expect(failureText(refused, { withStatus: false })).toBe('no pool named "x"');
    expect(failureText(new ApiFailure(0, 'unreachable', 'cannot reach x'), { withStatus: true })).toBe('cannot reach x');
    expect(failureText(new Error('ENOENT: no such file'), { withStatus: true })).toBe('ENOENT: no such file');
  });
});
