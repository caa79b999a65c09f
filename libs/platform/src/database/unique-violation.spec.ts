import { isUniqueViolation } from './unique-violation';

describe('isUniqueViolation', () => {
  it("reads pg's SQLSTATE 23505, on the error or on TypeORM's driverError", () => {
    expect(isUniqueViolation(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(true);
    expect(isUniqueViolation({ message: 'query failed', driverError: { code: '23505' } })).toBe(true);
  });

  it('is false for any other error or non-error', () => {
    expect(isUniqueViolation(Object.assign(new Error('not null'), { code: '23502' }))).toBe(false);
    expect(isUniqueViolation(new Error('plain'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});
