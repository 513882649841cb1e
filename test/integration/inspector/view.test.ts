/**
 * The Inspector's hop comparison: what a hop gave up is listed as narrowed, and a hand-built
 * hop that claims more than its parent (which `delegate` refuses to build) is flagged as
 * widened, first.
 */
import { describe, expect, it } from 'vitest';

import { compareWithParent, type HopFacts } from '../../../src/cli/inspector/view.js';

const parent: HopFacts = {
  hop: 0,
  kind: 'root',
  id: 'root',
  from: 'https://as.test',
  to: 'urn:a',
  subject: 'alice',
  capabilities: [
    {
      resource: 'docs:**',
      actions: ['read', 'write'],
      constraints: { size: { constraint_type: 'range', max: 100 } },
    },
    { resource: 'mail:**', actions: ['send'] },
  ],
  audience: ['https://tool.test'],
  issuedAt: 1_800_000_000,
  expiresAt: 1_800_000_600,
  depth: 0,
  maxDepth: 4,
  narrowing: [],
};

const child = (overrides: Partial<HopFacts>): HopFacts => ({
  ...parent,
  hop: 1,
  kind: 'delegation',
  id: 'child',
  from: 'urn:a',
  to: 'urn:b',
  ...overrides,
});

describe('compareWithParent', () => {
  it('lists what a hop gave up', () => {
    const notes = compareWithParent(
      child({
        capabilities: [
          {
            resource: 'docs:a',
            actions: ['read'],
            constraints: { size: { constraint_type: 'range', max: 50 } },
          },
        ],
        expiresAt: 1_800_000_300,
        maxDepth: 2,
      }),
      parent,
      'jws',
    );
    expect(notes.every((n) => n.kind === 'narrowed')).toBe(true);
    const text = notes.map((n) => n.text).join('\n');
    expect(text).toContain('resource docs:** → docs:a');
    expect(text).toContain('actions read,write → read');
    expect(text).toContain('on docs:a: size ≤ 100 → size ≤ 50');
    expect(text).toContain('dropped: send on mail:**');
    expect(text).toContain('expires earlier');
    expect(text).toContain('max delegation depth 4 → 2');
  });

  it('says so when nothing changed', () => {
    expect(compareWithParent(child({}), parent, 'jws')).toEqual([
      { kind: 'same', text: 'passes on its parent’s authority unchanged' },
    ]);
  });

  it('flags every widening, first', () => {
    const notes = compareWithParent(
      child({
        capabilities: [{ resource: 'docs:**', actions: ['read', 'delete'] }],
        expiresAt: 1_800_009_999,
        audience: ['https://tool.test', 'https://other.test'],
        maxDepth: 9,
        subject: 'mallory',
      }),
      parent,
      'jws',
    );
    const widened = notes.filter((n) => n.kind === 'widened').map((n) => n.text);
    expect(notes[0]?.kind).toBe('widened');
    expect(widened.join('\n')).toContain("delete on docs:** is not within the parent's");
    expect(widened.join('\n')).toContain('expires later');
    expect(widened.join('\n')).toContain('https://other.test');
    expect(widened.join('\n')).toContain('deeper delegation');
    expect(widened.join('\n')).toContain('different originating user');
  });
});
