/**
 * Builds test/vectors/rfc8725.json: every JWT/JWS attack class of RFC 8725 (JWT Best Current
 * Practices) and its friends, as named vectors against each JWS Mandate reads from the network:
 * JWS chain blocks (root and delegation), AAT blocks (root and delegation), proofs (DPoP,
 * invocation, AAT PoP), OAuth access tokens (`mandate/oauth`) and signed A2A Agent Cards
 * (`mandate/agent-card`). Each vector has a stable id `<target>/<attack>`, its attack class,
 * the input, and the exact `MANDATE_*` code (with check and hop) it must be denied with;
 * every target also has one genuine vector that must be accepted, so a vector cannot pass
 * because its setup is broken.
 *
 * Attacks that need a signature are signed with real keys: re-signed by the JWS's genuine
 * signer (so only the attacked property is wrong) or, for the key-injection classes, by the
 * attacker whose key the injected member names. Ed25519 is deterministic and every clock and
 * id is fixed, so the output is byte-for-byte reproducible (test/vectors/rfc8725.test.ts
 * regenerates it and fails on drift).
 *
 *   npm run vectors:generate   (all vector files; this script alone writes only this one)
 */
import { createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
import { canonicalizeAgentCard } from '../src/identity/agent-card/canonical.js';
import { signAgentCard } from '../src/identity/agent-card/index.js';
import { TYP } from '../src/core/typ.js';
import {
  delegate,
  mint,
  prove,
  toolResource,
  type CapabilityInput,
  type KeyPair,
  type Mandate,
} from '../src/index.js';
import { prepareSigner, signBytes } from '../src/identity/keys.js';
import { b64, keyPairFromSeed, TEST_SEEDS } from '../test/helpers/forge.js';
import {
  renderVectors,
  vectorPath,
  VECTOR_ISSUER,
  VECTOR_NOW,
  type VectorFileHeader,
} from './vector-file.js';
import { expectedDenial, type Expected } from './rfc8725-expected.js';

export const RFC8725_PATH = vectorPath('rfc8725.json');

const NOW = VECTOR_NOW;
const ISSUER = VECTOR_ISSUER;
const AUDIENCE = 'https://api.vectors.mandate.test';
const ATTACKER = 'https://attacker.vectors.mandate.test';
const AS_KID = 'as-key-1';
const CARD_KID = 'card-key-1';

type Party = 'anchor' | 'orchestrator' | 'billing' | 'mallory';

/** How a target's vectors are checked (test/vectors/rfc8725.test.ts). */
export type TargetKind = 'verifier' | 'access-token' | 'agent-card';

/** What a vector feeds its checker. */
export type VectorInput =
  | {
      /** A mandate chain, for `createVerifier(file.targets[t].config).verify`. */
      readonly token: string;
      readonly proof: string | null;
      readonly request: unknown;
      readonly action: unknown;
    }
  | { readonly accessToken: string }
  | { readonly card: unknown };

export interface Rfc8725Vector {
  /** Stable id: `<target>/<attack>`. */
  readonly id: string;
  readonly target: string;
  /** The attack class (`alg-none`, `typ-confusion`, ...; `genuine` for the baseline). */
  readonly class: string;
  readonly comment: string;
  readonly input: VectorInput;
  readonly result: 'valid' | 'invalid';
  /** For an invalid vector, the exact denial; `hop` only where the checker reports one. */
  readonly expected: Expected | null;
}

export interface Rfc8725File extends VectorFileHeader<Party> {
  readonly now: number;
  readonly targets: Readonly<
    Record<string, { readonly kind: TargetKind; readonly what: string; readonly config: unknown }>
  >;
  readonly classes: readonly string[];
  readonly numberOfTests: number;
  readonly tests: readonly Rfc8725Vector[];
}

/** The JWS under attack: its header, its exact payload text, and who genuinely signs it. */
interface Subject {
  readonly header: Record<string, unknown>;
  readonly payloadText: string;
  readonly signer: KeyPair;
}

interface Target {
  readonly name: string;
  readonly kind: TargetKind;
  readonly what: string;
  readonly config: unknown;
  /** The JWS's own `typ` (typ confusion tries every other one). */
  readonly typ: string | undefined;
  /** Detached-payload JWS (Agent Cards): payload-segment attacks do not apply. */
  readonly detached: boolean;
  readonly subject: Subject;
  /** The genuine input. */
  readonly genuine: VectorInput;
  /** The input with the attacked compact JWS in the subject's place. */
  assemble(compact: string): VectorInput;
}

interface Attack {
  readonly name: string;
  readonly class: string;
  readonly comment: string;
  /** Attacks on the payload segment or its JSON do not apply to a detached payload. */
  readonly payload?: boolean;
  forge(subject: Subject, k: Record<Party, KeyPair>, target: Target): string;
}

function sign(signer: KeyPair, signingInput: string): string {
  return signBytes(prepareSigner(signer), signingInput).toString('base64url');
}

/** A compact JWS of header and payload JSON text, signed by `signer`. */
function jws(signer: KeyPair, headerText: string, payloadText: string): string {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  return `${input}.${sign(signer, input)}`;
}

const json = (v: unknown): string => JSON.stringify(v);

/** `text` (a JSON object) with `members` (raw JSON text, leading comma included) appended. */
function withMembers(text: string, members: string): string {
  return `${text.slice(0, -1)}${members}}`;
}

/** A numeric claim of the payload to attack (`exp`, else `iat`, else a new `exp`). */
function numericClaim(payloadText: string): string {
  const payload = JSON.parse(payloadText) as Record<string, unknown>;
  return 'exp' in payload ? 'exp' : 'iat';
}

/** Replace `claim`'s value in the payload by raw JSON number text. */
function withNumber(payloadText: string, claim: string, numberText: string): string {
  const payload = JSON.parse(payloadText) as Record<string, unknown>;
  const { [claim]: _dropped, ...rest } = payload;
  return withMembers(json(rest), `,${json(claim)}:${numberText}`);
}

function genuineCompact(s: Subject): string {
  return jws(s.signer, json(s.header), s.payloadText);
}

/** Replace a compact JWS's `index`th segment. */
function withSegment(compact: string, index: number, value: string): string {
  const parts = compact.split('.');
  parts[index] = value;
  return parts.join('.');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const ATTACKS: readonly Attack[] = [
  {
    name: 'alg-none',
    class: 'alg-none',
    comment: 'RFC 8725 §2.1/§3.1: alg "none" and an empty signature',
    forge: (s) => `${b64(json({ ...s.header, alg: 'none' }))}.${b64(s.payloadText)}.`,
  },
  {
    name: 'alg-none-signed',
    class: 'alg-none',
    comment: 'alg "none" with a valid signature by the genuine key over the edited header',
    forge: (s) => jws(s.signer, json({ ...s.header, alg: 'none' }), s.payloadText),
  },
  {
    name: 'alg-none-case',
    class: 'alg-none',
    comment: 'alg "None" (case variant), empty signature',
    forge: (s) => `${b64(json({ ...s.header, alg: 'None' }))}.${b64(s.payloadText)}.`,
  },
  {
    name: 'alg-hs256-public-key',
    class: 'hs256-public-key',
    comment:
      'RFC 8725 §2.1: HS256 keyed with the genuine public key (its JWK JSON) as the HMAC secret',
    forge: (s) => {
      const input = `${b64(json({ ...s.header, alg: 'HS256' }))}.${b64(s.payloadText)}`;
      const mac = createHmac('sha256', json(s.signer.publicJwk)).update(input).digest();
      return `${input}.${mac.toString('base64url')}`;
    },
  },
  {
    name: 'alg-hs256-raw-public-key',
    class: 'hs256-public-key',
    comment: 'HS256 keyed with the raw public key bytes (the JWK x) as the HMAC secret',
    forge: (s) => {
      const input = `${b64(json({ ...s.header, alg: 'HS256' }))}.${b64(s.payloadText)}`;
      const secret = Buffer.from((s.signer.publicJwk as { x: string }).x, 'base64url');
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    },
  },
  {
    name: 'jku-injection',
    class: 'key-injection',
    comment: "header jku names the attacker's JWKS; signed by the attacker",
    forge: (s, k) =>
      jws(k.mallory, json({ ...s.header, jku: `${ATTACKER}/jwks.json` }), s.payloadText),
  },
  {
    name: 'x5u-injection',
    class: 'key-injection',
    comment: "header x5u names the attacker's certificate; signed by the attacker",
    forge: (s, k) =>
      jws(k.mallory, json({ ...s.header, x5u: `${ATTACKER}/cert.pem` }), s.payloadText),
  },
  {
    name: 'x5c-injection',
    class: 'key-injection',
    comment: 'header x5c carries a certificate chain; signed by the attacker',
    forge: (s, k) =>
      jws(
        k.mallory,
        json({ ...s.header, x5c: [b64('not a certificate, never parsed')] }),
        s.payloadText,
      ),
  },
  {
    name: 'jwk-injection',
    class: 'key-injection',
    comment: "header jwk embeds the attacker's public key; signed by the attacker",
    forge: (s, k) => jws(k.mallory, json({ ...s.header, jwk: k.mallory.publicJwk }), s.payloadText),
  },
  {
    name: 'kid-injection',
    class: 'key-injection',
    comment: 'header kid is a path-traversal / injection string; signed by the attacker',
    forge: (s, k) =>
      jws(k.mallory, json({ ...s.header, kid: "../../../../dev/null' OR '1'='1" }), s.payloadText),
  },
  {
    name: 'crit-unknown',
    class: 'crit',
    comment: 'header crit names an extension the verifier does not understand; genuine signer',
    forge: (s) =>
      jws(
        s.signer,
        json({ ...s.header, crit: ['urn:x-attack'], 'urn:x-attack': true }),
        s.payloadText,
      ),
  },
  {
    name: 'crit-exp',
    class: 'crit',
    comment: 'header crit names a registered claim name; genuine signer',
    forge: (s) => jws(s.signer, json({ ...s.header, crit: ['exp'] }), s.payloadText),
  },
  {
    name: 'b64-false',
    class: 'b64-false',
    comment: 'RFC 7797 unencoded payload (b64 false, crit ["b64"]); genuine signer',
    payload: true,
    forge: (s) => {
      const h = b64(json({ ...s.header, b64: false, crit: ['b64'] }));
      return `${h}.${s.payloadText}.${sign(s.signer, `${h}.${s.payloadText}`)}`;
    },
  },
  {
    name: 'b64-false-encoded',
    class: 'b64-false',
    comment: 'b64 false declared but the payload still base64url-encoded; genuine signer',
    forge: (s) => jws(s.signer, json({ ...s.header, b64: false, crit: ['b64'] }), s.payloadText),
  },
  {
    name: 'nested-jws',
    class: 'nested-jws',
    comment: 'cty "JWT": the payload is the genuine JWS itself, wrapped and re-signed',
    payload: true,
    forge: (s) => jws(s.signer, json({ ...s.header, cty: 'JWT' }), genuineCompact(s)),
  },
  {
    name: 'nested-jws-no-cty',
    class: 'nested-jws',
    comment: 'the payload is the genuine JWS compact text, without cty; genuine signer',
    payload: true,
    forge: (s) => jws(s.signer, json(s.header), genuineCompact(s)),
  },
  {
    name: 'duplicate-header-alg',
    class: 'duplicate-members',
    comment: 'header {"alg":"none",...,"alg":<genuine>}: parsers that keep the first see none',
    forge: (s) =>
      jws(
        s.signer,
        withMembers(json({ alg: 'none', ...s.header }), `,"alg":${json(s.header.alg)}`),
        s.payloadText,
      ),
  },
  {
    name: 'duplicate-payload-claim',
    class: 'duplicate-members',
    comment: 'a payload claim repeated with a later, different value; genuine signer',
    payload: true,
    forge: (s) => {
      const claim = numericClaim(s.payloadText);
      return jws(
        s.signer,
        json(s.header),
        withMembers(s.payloadText, `,${json(claim)}:4102444800`),
      );
    },
  },
  {
    name: 'proto-header',
    class: '__proto__',
    comment: 'header carries "__proto__": {"alg":"none"}; genuine signer',
    forge: (s) =>
      jws(
        s.signer,
        withMembers(json(s.header), ',"__proto__":{"alg":"none","typ":"JWT"}'),
        s.payloadText,
      ),
  },
  {
    name: 'proto-payload',
    class: '__proto__',
    comment: 'payload carries "__proto__": {"admin":true}; genuine signer',
    payload: true,
    forge: (s) =>
      jws(s.signer, json(s.header), withMembers(s.payloadText, ',"__proto__":{"admin":true}')),
  },
  {
    name: 'big-integer',
    class: 'big-integers',
    comment: 'a numeric claim beyond 2^53 (exact integers are lost in a double); genuine signer',
    payload: true,
    forge: (s) =>
      jws(
        s.signer,
        json(s.header),
        withNumber(s.payloadText, numericClaim(s.payloadText), '9007199254740993'),
      ),
  },
  {
    name: 'big-integer-overflow',
    class: 'big-integers',
    comment: 'a numeric claim of 1e400 (Infinity as a double); genuine signer',
    payload: true,
    forge: (s) =>
      jws(
        s.signer,
        json(s.header),
        withNumber(s.payloadText, numericClaim(s.payloadText), '1e400'),
      ),
  },
  {
    name: 'b64-padding',
    class: 'non-canonical-base64url',
    comment: 'the signature segment with "=" padding (same bytes)',
    forge: (s) => {
      const c = genuineCompact(s);
      return withSegment(c, 2, `${c.split('.')[2] ?? ''}==`);
    },
  },
  {
    name: 'b64-standard-alphabet',
    class: 'non-canonical-base64url',
    comment: 'a segment in the standard base64 alphabet ("+" and "/" for "-" and "_"; same bytes)',
    forge: (s, _k, target) => {
      const c = genuineCompact(s);
      const parts = c.split('.');
      // The signature first; the payload only where it travels (not for a detached one).
      for (const index of target.detached ? [2, 0] : [2, 1, 0]) {
        const part = parts[index] ?? '';
        const standard = part.replace(/-/g, '+').replace(/_/g, '/');
        if (standard !== part) return withSegment(c, index, standard);
      }
      // No "-" or "_" anywhere: the signature in padded standard base64 (64 bytes pad).
      return withSegment(c, 2, Buffer.from(parts[2] ?? '', 'base64url').toString('base64'));
    },
  },
  {
    name: 'b64-trailing-bits',
    class: 'non-canonical-base64url',
    comment: "the signature's last character with non-zero unused bits (same bytes when lenient)",
    forge: (s) => {
      const c = genuineCompact(s);
      const sig = c.split('.')[2] ?? '';
      const last = BASE64URL.indexOf(sig.at(-1) ?? 'A');
      // The canonical last character has its 4 unused bits zero; set the lowest one.
      return withSegment(c, 2, `${sig.slice(0, -1)}${BASE64URL[last ^ 1] ?? 'B'}`);
    },
  },
  {
    name: 'trailing-segment',
    class: 'trailing-data',
    comment: 'a fourth dot-separated segment after the genuine JWS',
    forge: (s) => `${genuineCompact(s)}.${b64('{}')}`,
  },
  {
    name: 'trailing-whitespace',
    class: 'trailing-data',
    comment: 'a newline after the genuine signature',
    forge: (s) => `${genuineCompact(s)}\n`,
  },
  {
    name: 'trailing-json',
    class: 'trailing-data',
    comment: 'a second JSON value after the payload object; genuine signer',
    payload: true,
    forge: (s) => jws(s.signer, json(s.header), `${s.payloadText}{"admin":true}`),
  },
  {
    name: 'trailing-header-json',
    class: 'trailing-data',
    comment: 'trailing garbage after the header JSON object; genuine signer',
    forge: (s) => jws(s.signer, `${json(s.header)} x`, s.payloadText),
  },
];

/** Every typ Mandate or its neighbours use, for typ confusion (`null`: the member absent). */
const TYPS: readonly (string | null)[] = [
  TYP.root,
  TYP.delegation,
  TYP.dpop,
  TYP.invocation,
  TYP.sender,
  TYP.approval,
  TYP.aat,
  TYP.aatPop,
  TYP.revocationList,
  'at+jwt',
  'JWT',
  'JOSE',
  null,
];

function typAttack(typ: string | null): Attack {
  const name = `typ-${typ === null ? 'absent' : typ.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  return {
    name,
    class: 'typ-confusion',
    comment: `typ ${typ === null ? 'removed' : `"${typ}"`}; re-signed by the genuine signer`,
    forge: (s) => {
      const { typ: _own, ...rest } = s.header;
      return jws(s.signer, json(typ === null ? rest : { ...rest, typ }), s.payloadText);
    },
  };
}

/** The tokens' last segment (the JWS under attack is the chain's last block). */
function lastBlock(token: string): string {
  return token.split('~').at(-1) ?? '';
}

function subjectOf(compact: string, signer: KeyPair): Subject {
  const [h = '', p = ''] = compact.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payloadText: Buffer.from(p, 'base64url').toString('utf8'),
    signer,
  };
}

const HTTP_REQUEST = { method: 'POST', url: `${AUDIENCE}/invoices/2026-03/pay` };
const HTTP_ACTION = { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } };
const TOOL_REQUEST = { tool: 'read_file', args: { path: '/srv/a.md' } };
const PAY_CAP: CapabilityInput = {
  resource: 'billing:invoices/**',
  actions: ['pay'],
  constraints: { amount: { max: 500 } },
};
const TOOL_CAP: CapabilityInput = { resource: toolResource('read_file'), actions: ['call'] };
const CAPS: CapabilityInput[] = [PAY_CAP, TOOL_CAP];

function verifierConfig(requireProof: boolean) {
  return {
    trustAnchors: [{ id: ISSUER, publicJwk: keyPairFromSeed(TEST_SEEDS.anchor).publicJwk }],
    audience: AUDIENCE,
    clockTolerance: 0,
    proofWindow: 60,
    requireProof,
    requireAudience: true,
  };
}

async function chainTargets(k: Record<Party, KeyPair>): Promise<Target[]> {
  const rootOf = (format: 'jws' | 'aat') =>
    mint({
      ...(format === 'aat' ? { format: 'aat' as const } : { subject: 'alice' }),
      issuer: k.anchor,
      issuerId: ISSUER,
      holder: k.orchestrator.publicJwk,
      capabilities: format === 'aat' ? [TOOL_CAP] : CAPS,
      expiresIn: 900,
      audience: AUDIENCE,
      maxDepth: 3,
      now: NOW - 60,
      id: `rfc8725-${format}-root`,
    });
  const childOf = (root: Mandate) =>
    delegate(root, {
      signer: k.orchestrator,
      holder: k.billing.publicJwk,
      capabilities: [root.format === 'aat' ? TOOL_CAP : PAY_CAP],
      expiresIn: 600,
      now: NOW - 30,
      id: `rfc8725-${root.format}-child`,
    });
  const targets: Target[] = [];
  for (const format of ['jws', 'aat'] as const) {
    const root = await rootOf(format);
    const child = await childOf(root);
    // AAT grants tools only: its blocks are presented for a tool call.
    const blockInput = (token: string): VectorInput =>
      format === 'aat'
        ? { token, proof: null, request: TOOL_REQUEST, action: null }
        : { token, proof: null, request: HTTP_REQUEST, action: HTTP_ACTION };
    const rootTyp = format === 'jws' ? TYP.root : TYP.aat;
    const childTyp = format === 'jws' ? TYP.delegation : TYP.aat;
    targets.push(
      {
        name: `${format}-root`,
        kind: 'verifier',
        what: `the root block of a ${format.toUpperCase()} chain (hop 0), signed by the trust anchor`,
        config: verifierConfig(false),
        typ: rootTyp,
        detached: false,
        subject: subjectOf(root.token, k.anchor),
        genuine: blockInput(root.token),
        assemble: (compact) => blockInput(compact),
      },
      {
        name: `${format}-delegation`,
        kind: 'verifier',
        what: `a delegation block of a ${format.toUpperCase()} chain (hop 1), signed by the root's holder`,
        config: verifierConfig(false),
        typ: childTyp,
        detached: false,
        subject: subjectOf(lastBlock(child.token), k.orchestrator),
        genuine: blockInput(child.token),
        assemble: (compact) => blockInput(`${root.token}~${compact}`),
      },
    );
    const proofs =
      format === 'jws'
        ? ([
            [
              'dpop-proof',
              'an RFC 9449 DPoP proof for an HTTP request',
              TYP.dpop,
              HTTP_REQUEST,
              HTTP_ACTION,
            ],
            [
              'invocation-proof',
              "Mandate's invocation proof for a tool call",
              TYP.invocation,
              TOOL_REQUEST,
              null,
            ],
          ] as const)
        : ([
            [
              'aat-pop',
              'an AAT proof of possession for a tool call',
              TYP.aatPop,
              TOOL_REQUEST,
              null,
            ],
          ] as const);
    for (const [name, what, typ, request, action] of proofs) {
      const proof = await prove(root, {
        signer: k.orchestrator,
        request,
        now: NOW,
        ...('tool' in request ? { audience: AUDIENCE } : {}),
        jti: `rfc8725-${name}`,
      });
      const input = (p: string): VectorInput => ({ token: root.token, proof: p, request, action });
      targets.push({
        name,
        kind: 'verifier',
        what,
        config: verifierConfig(true),
        typ,
        detached: false,
        subject: subjectOf(proof, k.orchestrator),
        genuine: input(proof),
        assemble: input,
      });
    }
  }
  return targets;
}

function accessTokenTarget(k: Record<Party, KeyPair>): Target {
  const header = { alg: 'Ed25519', typ: 'at+jwt', kid: AS_KID };
  const payload = {
    iss: ISSUER,
    sub: 'alice',
    aud: AUDIENCE,
    client_id: 'orchestrator',
    scope: 'invoices:pay',
    iat: NOW - 60,
    exp: NOW + 600,
    jti: 'rfc8725-access-token',
  };
  const subject: Subject = { header, payloadText: json(payload), signer: k.anchor };
  return {
    name: 'access-token',
    kind: 'access-token',
    what: 'an RFC 9068 access token (at+jwt) checked by createAccessTokenVerifier',
    config: {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [{ ...k.anchor.publicJwk, kid: AS_KID, alg: 'Ed25519', use: 'sig' }] },
      clockTolerance: 0,
    },
    typ: 'at+jwt',
    detached: false,
    subject,
    genuine: { accessToken: genuineCompact(subject) },
    assemble: (compact) => ({ accessToken: compact }),
  };
}

function agentCardTarget(k: Record<Party, KeyPair>): Target {
  const card = {
    protocolVersion: '0.3.0',
    name: 'Billing Agent',
    description: 'Pays invoices within a mandate.',
    url: `${AUDIENCE}/a2a`,
    preferredTransport: 'JSONRPC',
    version: '1.0.0',
    capabilities: { streaming: false },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [],
  };
  const signed = signAgentCard(card, { signer: k.billing, kid: CARD_KID });
  const signature = (signed.signatures as { protected: string; signature: string }[])[0];
  if (signature === undefined) throw new Error('signAgentCard added no signature');
  const payloadText = canonicalizeAgentCard(card);
  const subject: Subject = {
    header: JSON.parse(Buffer.from(signature.protected, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payloadText,
    signer: k.billing,
  };
  return {
    name: 'agent-card',
    kind: 'agent-card',
    what: 'a signed A2A Agent Card (A2A §8.4, detached canonical payload) checked by verifyAgentCard',
    config: { keys: [{ ...k.billing.publicJwk, kid: CARD_KID }] },
    typ: 'JOSE',
    detached: true,
    subject,
    genuine: { card: signed },
    assemble: (compact) => {
      // Everything after the payload segment is the signature (trailing data included).
      const [h = '', , ...rest] = compact.split('.');
      return { card: { ...card, signatures: [{ protected: h, signature: rest.join('.') }] } };
    },
  };
}

/** Build every vector. Deterministic: same code, same output. */
export async function generateRfc8725Vectors(): Promise<Rfc8725File> {
  const parties: Party[] = ['anchor', 'orchestrator', 'billing', 'mallory'];
  const k = Object.fromEntries(parties.map((p) => [p, keyPairFromSeed(TEST_SEEDS[p])])) as Record<
    Party,
    KeyPair
  >;
  const targets = [...(await chainTargets(k)), accessTokenTarget(k), agentCardTarget(k)];
  const tests: Rfc8725Vector[] = [];
  for (const target of targets) {
    tests.push({
      id: `${target.name}/genuine`,
      target: target.name,
      class: 'genuine',
      comment: 'the genuine input, accepted: every attack below differs from it only as named',
      input: target.genuine,
      result: 'valid',
      expected: null,
    });
    const attacks = [...ATTACKS, ...TYPS.filter((typ) => typ !== target.typ).map(typAttack)].filter(
      (a) => !(target.detached && a.payload === true),
    );
    for (const attack of attacks) {
      const id = `${target.name}/${attack.name}`;
      const input = target.assemble(attack.forge(target.subject, k, target));
      // An attack that changes nothing would be a genuine input expected to be denied.
      if (json(input) === json(target.genuine)) throw new Error(`${id} changes nothing`);
      tests.push({
        id,
        target: target.name,
        class: attack.class,
        comment: attack.comment,
        input,
        result: 'invalid',
        expected: expectedDenial(target.name, attack.name),
      });
    }
  }
  const classes = [...new Set(tests.map((t) => t.class))];
  return {
    name: 'Mandate RFC 8725 attack vectors',
    version: 1,
    description:
      'Every JWT/JWS attack class of RFC 8725 and its friends against each JWS Mandate reads ' +
      'from the network; each invalid vector must be denied with exactly the code, check and hop given.',
    generator: 'scripts/generate-rfc8725-vectors.ts',
    algorithm: 'Ed25519',
    keys: Object.fromEntries(
      parties.map((p) => [p, { seed: TEST_SEEDS[p], publicJwk: k[p].publicJwk, id: k[p].id }]),
    ) as Rfc8725File['keys'],
    now: NOW,
    targets: Object.fromEntries(
      targets.map((t) => [t.name, { kind: t.kind, what: t.what, config: t.config }]),
    ),
    classes,
    numberOfTests: tests.length,
    tests,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = await generateRfc8725Vectors();
  writeFileSync(RFC8725_PATH, renderVectors(file));
  console.info(`wrote ${RFC8725_PATH}: ${file.numberOfTests} vectors`);
}
