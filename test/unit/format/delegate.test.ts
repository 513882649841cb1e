/**
 * `delegate` refuses every kind of widening with `MANDATE_WIDENED` (actions, resource,
 * constraints, expiry, audience, depth, and delegating below a terminal block), in every
 * format; omitted caveats inherit the parent's expiry and audience, and one less depth.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  delegate,
  generateKeyPair,
  isMandateError,
  mint,
  toolResource,
  type CapabilityInput,
  type DelegateOptions,
  type Format,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://as.example';
const AUD_A = 'https://a.example';
const AUD = [AUD_A, 'https://b.example'];

interface Case {
  readonly root: readonly CapabilityInput[];
  readonly moreActions: readonly CapabilityInput[];
  readonly widerResource: readonly CapabilityInput[];
  readonly looserConstraint: readonly CapabilityInput[];
}

const resourceCaps: Case = {
  root: [{ resource: 'docs:a/*', actions: ['read'], constraints: { size: { max: 100 } } }],
  moreActions: [
    { resource: 'docs:a/*', actions: ['read', 'write'], constraints: { size: { max: 100 } } },
  ],
  widerResource: [{ resource: 'docs:**', actions: ['read'], constraints: { size: { max: 100 } } }],
  looserConstraint: [
    { resource: 'docs:a/*', actions: ['read'], constraints: { size: { max: 101 } } },
  ],
};

const tool = toolResource('read_file');
const toolCaps: Case = {
  root: [
    {
      resource: tool,
      actions: ['call'],
      constraints: { size: { constraint_type: 'range', max: 100 } },
    },
  ],
  // AAT grants exactly `call`; a second tool is its "more actions".
  moreActions: [
    {
      resource: tool,
      actions: ['call'],
      constraints: { size: { constraint_type: 'range', max: 100 } },
    },
    { resource: toolResource('delete_file'), actions: ['call'] },
  ],
  widerResource: [{ resource: toolResource('other'), actions: ['call'] }],
  looserConstraint: [
    {
      resource: tool,
      actions: ['call'],
      constraints: { size: { constraint_type: 'range', max: 101 } },
    },
  ],
};

const FORMATS: readonly [Format, Case][] = [
  ['jws', resourceCaps],
  ['biscuit', resourceCaps],
  ['aat', toolCaps],
];

describe.each(FORMATS)('delegate (%s)', (format, caps) => {
  let issuer: KeyPair;
  let first: KeyPair;
  let second: KeyPair;
  let root: Mandate;

  beforeAll(async () => {
    [issuer, first, second] = await Promise.all([
      generateKeyPair(),
      generateKeyPair(),
      generateKeyPair(),
    ]);
    root = await mint({
      format,
      issuer,
      issuerId: ISSUER,
      ...(format === 'aat' ? {} : { subject: 'alice' }),
      holder: first.publicJwk,
      capabilities: caps.root,
      expiresIn: 600,
      audience: AUD,
      maxDepth: 2,
      now: NOW,
    });
  });

  const refused = async (options: Partial<DelegateOptions>, field?: string) => {
    const error = await delegate(root, {
      signer: first,
      holder: second.publicJwk,
      now: NOW,
      ...options,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMandateError(error), JSON.stringify(options)).toBe(true);
    expect(error).toMatchObject({ code: 'MANDATE_WIDENED', hop: 1 });
    if (field !== undefined) expect(error).toMatchObject({ detail: { field } });
  };

  it('omitted caveats inherit the parent: expiry, audience, one less depth, capabilities', async () => {
    const child = await delegate(root, { signer: first, holder: second.publicJwk, now: NOW });
    const [parent, block] = child.blocks;
    expect(block).toMatchObject({
      expiresAt: parent?.expiresAt,
      audience: AUD,
      depth: 1,
      maxDepth: parent?.maxDepth,
      capabilities: parent?.capabilities,
    });
  });

  it('narrower explicit caveats are accepted', async () => {
    const child = await delegate(root, {
      signer: first,
      holder: second.publicJwk,
      capabilities: caps.root,
      expiresIn: 60,
      audience: AUD_A,
      maxDepth: 0,
      now: NOW,
    });
    expect(child.blocks[1]).toMatchObject({
      expiresAt: NOW + 60,
      audience: [AUD_A],
      depth: 1,
      maxDepth: 1,
    });
  });

  it('more actions: MANDATE_WIDENED', () =>
    refused({ capabilities: caps.moreActions }, 'capabilities'));
  it('a wider resource: MANDATE_WIDENED', () =>
    refused({ capabilities: caps.widerResource }, 'capabilities'));
  it('a looser constraint: MANDATE_WIDENED', () =>
    refused({ capabilities: caps.looserConstraint }, 'capabilities'));
  it('a later expiry: MANDATE_WIDENED', () => refused({ expiresIn: 601 }, 'expiresAt'));
  it('a wider audience: MANDATE_WIDENED', () =>
    refused({ audience: [...AUD, 'https://c.example'] }, 'audience'));
  it('deeper delegation: MANDATE_WIDENED', () => refused({ maxDepth: 2 }, 'maxDepth'));

  it('below a terminal block: MANDATE_WIDENED', async () => {
    const terminal = await delegate(root, {
      signer: first,
      holder: second.publicJwk,
      maxDepth: 0,
      now: NOW,
    });
    await expect(
      delegate(terminal, { signer: second, holder: first.publicJwk, now: NOW }),
    ).rejects.toMatchObject({ code: 'MANDATE_WIDENED', hop: 2 });
  });
});
