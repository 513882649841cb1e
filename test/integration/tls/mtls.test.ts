/**
 * RFC 8705 certificate-bound holders on a real TLS server on loopback: the certificates are
 * generated for this run (certificates.ts). A good client passes; a client with another
 * certificate, with none, or with one the CA did not issue is denied with a coded error.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  holderFromCertificate,
  mtlsContext,
  mtlsServerOptions,
  spiffeIdFromCertificate,
} from '../../../src/proof/mtls/index.js';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type Decision,
  type KeyPair,
  type Mandate,
  type VerifierOptions,
} from '../../../src/index.js';
import { decodeJws } from '../../helpers/forge.js';
import { GOOD_SPIFFE_ID, generateTestPki, type Pem, type TestPki } from './certificates.js';
import { x5tS256 } from '../../../src/identity/certificate.js';

const AUDIENCE = 'https://tool.test';
const ACTION = { resource: 'billing:invoices/2026-03', action: 'pay' } as const;

let pki: TestPki;
let anchor: KeyPair;
let orchestrator: KeyPair;
let goodMandate: Mandate;
let wrongMandate: Mandate;
let server: Server;
let port: number;
let options: Partial<VerifierOptions> = {};

function verifier() {
  return createVerifier({
    trustAnchors: [{ id: 'https://as.test', publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    ...options,
  });
}

/** One request over mTLS with `client` (or no certificate), carrying `token`. */
async function call(
  token: string,
  client?: Pem,
  extra: Record<string, string> = {},
): Promise<Decision> {
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/pay',
    method: 'POST',
    ca: pki.ca.cert,
    servername: 'localhost',
    agent: false,
    headers: { 'x-mandate': token, ...extra },
    ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
  });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return JSON.parse(body) as Decision;
}

/** The good client's certificate key as a Mandate key pair. */
async function certificateKeyPair(): Promise<KeyPair> {
  const { holder } = await holderFromCertificate(pki.good.cert);
  return { privateKey: createPrivateKey(pki.good.key), publicJwk: holder, id: goodMandate.holder };
}

beforeAll(async () => {
  pki = generateTestPki();
  anchor = await generateKeyPair();
  orchestrator = await generateKeyPair();
  const root = await mint({
    issuer: anchor,
    issuerId: 'https://as.test',
    subject: 'alice',
    holder: orchestrator.publicJwk,
    capabilities: [{ resource: 'billing:**', actions: ['pay'] }],
    expiresIn: 600,
    audience: AUDIENCE,
  });
  goodMandate = await delegate(root, {
    signer: orchestrator,
    ...(await holderFromCertificate(pki.good.cert)),
  });
  wrongMandate = await delegate(root, {
    signer: orchestrator,
    ...(await holderFromCertificate(pki.wrong.cert)),
  });
  server = createServer(
    mtlsServerOptions({ ca: pki.ca.cert, cert: pki.server.cert, key: pki.server.key }),
    (req, res) => {
      const token = String(req.headers['x-mandate'] ?? '');
      const proof = req.headers['dpop'];
      verifier()
        .verify(token, {
          action: ACTION,
          mtls: mtlsContext(req),
          ...(typeof proof === 'string'
            ? { proof, request: { method: 'POST', url: `https://127.0.0.1:${port}/pay` } }
            : {}),
        })
        .then((decision) => res.end(JSON.stringify(decision)))
        .catch((error: unknown) => {
          res.statusCode = 500;
          res.end(JSON.stringify({ error: String(error) }));
        });
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('x5t#S256 (RFC 8705 §3.1)', () => {
  it("equals Node's X509Certificate SHA-256 fingerprint of the DER", () => {
    const cert = new X509Certificate(pki.good.cert);
    const fromFingerprint = Buffer.from(cert.fingerprint256.replaceAll(':', ''), 'hex').toString(
      'base64url',
    );
    expect(x5tS256(cert)).toBe(fromFingerprint);
    expect(x5tS256(pki.good.cert)).toBe(fromFingerprint);
    expect(x5tS256(cert.raw)).toBe(fromFingerprint);
  });

  it('a bound block carries cnf.jwk = the certificate key and cnf.x5t#S256 = its thumbprint', async () => {
    const last = goodMandate.token.split('~').at(-1) ?? '';
    const { payload } = decodeJws(last);
    const { holder } = await holderFromCertificate(pki.good.cert);
    expect(payload.cnf).toEqual({ jwk: holder, 'x5t#S256': x5tS256(pki.good.cert) });
  });

  it('mint refuses a certificate whose key is not the holder key (TypeError)', async () => {
    await expect(
      mint({
        issuer: anchor,
        subject: 'alice',
        holder: orchestrator.publicJwk,
        holderCertificate: pki.good.cert,
        capabilities: [{ resource: 'billing:**', actions: ['pay'] }],
        expiresIn: 60,
      }),
    ).rejects.toThrow(TypeError);
  });
});

describe('possession proven by the TLS peer certificate', () => {
  it('the good client (the bound certificate) is allowed without a request proof', async () => {
    expect(await call(goodMandate.token, pki.good)).toMatchObject({
      allowed: true,
      subject: 'alice',
    });
  });

  it('a client with another certificate (same CA) is denied MANDATE_PROOF_INVALID', async () => {
    expect(await call(goodMandate.token, pki.wrong)).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
      check: 'possession',
      detail: { reason: 'x5t#S256' },
    });
  });

  it('a client without a certificate is denied MANDATE_PROOF_MISSING', async () => {
    expect(await call(goodMandate.token)).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_MISSING',
      hop: 1,
      check: 'possession',
    });
  });

  it('a self-signed certificate the CA did not issue is not passed on: MANDATE_PROOF_MISSING', async () => {
    expect(await call(goodMandate.token, pki.rogue)).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_MISSING',
      hop: 1,
      check: 'possession',
    });
  });

  it('a DPoP proof by the certificate key does not replace the certificate', async () => {
    const signer = await certificateKeyPair();
    const proof = await prove(goodMandate, {
      signer,
      request: { method: 'POST', url: `https://127.0.0.1:${port}/pay` },
    });
    expect(await call(goodMandate.token, undefined, { dpop: proof })).toMatchObject({
      code: 'MANDATE_PROOF_MISSING',
      hop: 1,
    });
    // With the certificate as well, both are checked and the request passes.
    expect(await call(goodMandate.token, pki.good, { dpop: proof })).toMatchObject({
      allowed: true,
    });
  });

  it('the certificate holder can delegate further: linkage uses the certificate key', async () => {
    const certHolder = await certificateKeyPair();
    const tool = await generateKeyPair();
    const next = await delegate(goodMandate, { signer: certHolder, holder: tool.publicJwk });
    const proof = await prove(next, {
      signer: tool,
      request: { method: 'POST', url: `https://127.0.0.1:${port}/pay` },
    });
    expect(await call(next.token, undefined, { dpop: proof })).toMatchObject({ allowed: true });
  });
});

describe('SPIFFE X.509-SVID as the agent name (expectHolder)', () => {
  it("reads the SVID's single URI SAN; a CA certificate names no workload", () => {
    expect(spiffeIdFromCertificate(pki.good.cert)).toMatchObject({
      id: GOOD_SPIFFE_ID,
      trustDomain: 'example.org',
      path: '/billing',
    });
    expect(spiffeIdFromCertificate(pki.ca.cert)).toBeUndefined();
  });

  it('expectHolder { agent: spiffe://… } allows the workload, denies another one', async () => {
    options = { expectHolder: { agent: GOOD_SPIFFE_ID } };
    try {
      expect(await call(goodMandate.token, pki.good)).toMatchObject({ allowed: true });
      expect(await call(wrongMandate.token, pki.wrong)).toMatchObject({
        allowed: false,
        code: 'MANDATE_UNTRUSTED_ISSUER',
        hop: 1,
        check: 'possession',
        detail: { reason: 'no-svid' },
      });
    } finally {
      options = {};
    }
  });
});
