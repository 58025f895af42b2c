import { compactPriorities, placeNewActiveIntegration } from './primary-placement';

describe('placeNewActiveIntegration', () => {
  it('makes the first active integration primary with priority 1', () => {
    expect(placeNewActiveIntegration(undefined)).toEqual({ primary: true, priority: 1 });
  });

  it('slots under a primary holder and moves the primary up by one', () => {
    expect(placeNewActiveIntegration({ id: 'a', priority: 3, primary: true })).toEqual({
      primary: false,
      priority: 3,
      bumpHighestTo: 4,
    });
  });

  it('goes above a non-primary holder and becomes primary', () => {
    expect(placeNewActiveIntegration({ id: 'a', priority: 2, primary: false })).toEqual({
      primary: true,
      priority: 3,
    });
  });
});

describe('compactPriorities', () => {
  it('renumbers highest-first holders to n..1 and reports only changes', () => {
    const changes = compactPriorities([
      { id: 'a', priority: 7, primary: true },
      { id: 'b', priority: 2, primary: false },
      { id: 'c', priority: 1, primary: false },
    ]);
    expect(changes).toEqual([{ id: 'a', primary: true, priority: 3 }]);
  });

  it('returns nothing for an empty or already compact list', () => {
    expect(compactPriorities([])).toEqual([]);
    expect(compactPriorities([{ id: 'a', priority: 1, primary: false }])).toEqual([]);
  });
});
