import { Grant, planGrants } from './grant-plan';

const role = (target: string): Grant => ({ kind: 'role', target, label: target });
const group = (target: string): Grant => ({ kind: 'group', target, label: target });

describe('grant plan', () => {
  it('grants what is missing, refreshes its own, revokes only its own', () => {
    const plan = planGrants(
      [role('cms/member'), role('lhcb/member'), group('g-cms')],
      [role('cms/member'), role('atlas/member'), role('old/member'), role('manual/admin')],
      [role('cms/member'), role('old/member'), role('gone/reader')],
    );
    expect(plan.grant.map((g) => g.target)).toEqual(['lhcb/member', 'g-cms']);
    expect(plan.refresh.map((g) => g.target)).toEqual(['cms/member']);
    expect(plan.revoke.map((g) => [g.target, g.present])).toEqual([
      ['old/member', true],
      ['gone/reader', false],
    ]);
  });

  it('leaves alone a desired grant someone else made (neither recorded nor refreshed)', () => {
    const plan = planGrants([role('p/member')], [role('p/member')], []);
    expect(plan).toEqual({ grant: [], refresh: [], revoke: [] });
  });

  it('asks nothing twice', () => {
    const plan = planGrants([role('p/member'), role('p/member')], [], []);
    expect(plan.grant).toHaveLength(1);
  });
});
