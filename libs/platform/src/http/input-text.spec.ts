import { findTextProblem, jsonDepthExceededAt } from './input-text';

describe('findTextProblem', () => {
  it('names the first string holding a NUL or a lone surrogate, keys included', () => {
    expect(findTextProblem({ a: 'ok', scope: { ids: ['x', 'y\u0000'] } })).toEqual({
      field: 'scope.ids[1]',
      problem: expect.stringContaining('NUL'),
    });
    expect(findTextProblem({ description: 'a\ud800b' })?.field).toBe('description');
    expect(findTextProblem({ 'odd key': { 'k\u0000': 1 } })?.field).toBe('["odd key"]["k\\u0000"]');
    expect(findTextProblem('\udc00', 'comment')?.field).toBe('comment');
  });

  it('lets well-formed text through, astral characters (surrogate pairs) too', () => {
    expect(findTextProblem({ name: 'vm-1 😀 città', list: [1, null, true, { x: 'ü' }] })).toBeNull();
  });

  it('walks very deep values without recursion', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findTextProblem(deep)?.problem).toContain('NUL');
  });
});

describe('jsonDepthExceededAt', () => {
  const at = (text: string, max = 3) => jsonDepthExceededAt(Buffer.from(text), max);
  it('finds where nesting crosses the limit, brackets in strings not counted', () => {
    expect(at('{"a": [[1]]}')).toBe(-1);
    expect(at('{"a": [[[1]]]}')).toBe(8);
    expect(at('["[[[[", "\\"[[[["]')).toBe(-1);
    expect(at('["città", [[["x"]]]]')).toBeGreaterThan(0);
    expect(jsonDepthExceededAt(Buffer.from('['.repeat(40_000) + ']'.repeat(40_000)), 64)).toBe(64);
  });
});
