/**
 * Apps whose routes take their arguments from the request (the query, the JSON body), for the
 * differential seam fuzz: the guard's route table reads them through `RouteContext`; each
 * handler reads them the way its own framework hands them over (Express `req.query` and
 * `req.body`, Hono `c.req.query()` and `c.req.json()`, node:http `URLSearchParams` and the body
 * the guard left) and records what it read beside what the guard verified.
 */
import { request as httpRequest, type IncomingMessage, type RequestListener } from 'node:http';
import express, { type Request, type Response } from 'express';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import {
  createVerifier,
  generateKeyPair,
  mint,
  prove,
  type Action,
  type Json,
  type KeyPair,
  type Verifier,
} from '../../../src/index.js';
import {
  mandateExpress,
  mandateHono,
  mandateOf,
  withMandateNode,
  type HttpGuardOptions,
  type MandateContext,
  type RouteTable,
} from '../../../src/adapters/http/index.js';
import { answerUnrouted, serve } from '../http/routed-apps.js';

/** The resource and action both routes need. */
export const TRANSFER = { resource: 'bank:transfers', action: 'send' } as const;

/** The transfer a query names, as every reader below computes it from its own reading. */
function transferOf(to: unknown, amount: unknown): Record<string, Json> {
  return { to: text(to), amount: Number(text(amount) || '0') };
}

/** A query value as a handler would use it as text (Express's array joined, as `String` does). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).join(',');
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

/** The guard's table: `GET /transfer?to=&amount=` and `POST /pay` with a JSON body. */
export const ARG_ROUTES: RouteTable = {
  'GET /transfer': {
    ...TRANSFER,
    args: (c) => transferOf(c.query.get('to'), c.query.get('amount')),
  },
  'POST /pay': {
    ...TRANSFER,
    args: async (c) => {
      const body = await c.json();
      return typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, Json>)
        : { body: (body ?? null) as Json };
    },
  },
};

/** One handler run: the arguments the handler read, and what the guard verified. */
export interface ArgsRun {
  readonly route: 'transfer' | 'pay';
  readonly read: unknown;
  readonly verified: Action | undefined;
}

export type ArgsFramework = 'express-json-first' | 'express-guard-first' | 'hono' | 'node';
export const ARGS_FRAMEWORKS: readonly ArgsFramework[] = [
  'express-json-first',
  'express-guard-first',
  'hono',
  'node',
];

function expressApp(options: HttpGuardOptions, runs: ArgsRun[], jsonFirst: boolean) {
  const app = express();
  if (jsonFirst) app.use(express.json());
  app.use(mandateExpress(options));
  if (!jsonFirst) app.use(express.json());
  app.get('/transfer', (req: Request, res: Response) => {
    runs.push({
      route: 'transfer',
      read: transferOf(req.query.to, req.query.amount),
      verified: mandateOf(req)?.action,
    });
    res.json({ ran: 'transfer' });
  });
  app.post('/pay', (req: Request, res: Response) => {
    runs.push({ route: 'pay', read: req.body as unknown, verified: mandateOf(req)?.action });
    res.json({ ran: 'pay' });
  });
  return answerUnrouted(app);
}

function honoApp(options: HttpGuardOptions, runs: ArgsRun[]): RequestListener {
  type Env = { Variables: { mandate: MandateContext } };
  const app = new Hono<Env>();
  app.use('*', mandateHono(options));
  app.get('/transfer', (c) => {
    runs.push({
      route: 'transfer',
      read: transferOf(c.req.query('to'), c.req.query('amount')),
      verified: c.get('mandate')?.action,
    });
    return c.json({ ran: 'transfer' });
  });
  app.post('/pay', async (c) => {
    let read: unknown;
    try {
      read = await c.req.json();
    } catch {
      read = 'unreadable';
    }
    runs.push({ route: 'pay', read, verified: c.get('mandate')?.action });
    return c.json({ ran: 'pay' });
  });
  const listener = getRequestListener(app.fetch);
  return (req, res) => {
    void listener(req, res);
  };
}

function nodeApp(options: HttpGuardOptions, runs: ArgsRun[]): RequestListener {
  return withMandateNode(options, (req: IncomingMessage, res, context) => {
    const url = new URL(req.url ?? '/', 'http://h');
    const verified = context?.action;
    if (req.method === 'GET' && url.pathname === '/transfer') {
      const q = url.searchParams;
      runs.push({ route: 'transfer', read: transferOf(q.get('to'), q.get('amount')), verified });
    } else if (req.method === 'POST' && url.pathname === '/pay') {
      runs.push({ route: 'pay', read: (req as { body?: unknown }).body, verified });
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

/** A running app of `framework` guarded by `options` (plus the table above). */
export async function startArgsApp(
  framework: ArgsFramework,
  options: Omit<HttpGuardOptions, 'publicOrigin' | 'routes'>,
): Promise<{ origin: string; runs: ArgsRun[]; close: () => Promise<void> }> {
  const runs: ArgsRun[] = [];
  const served = await serve((origin) => {
    const guarded = { ...options, routes: ARG_ROUTES, publicOrigin: origin };
    switch (framework) {
      case 'express-json-first':
        return expressApp(guarded, runs, true);
      case 'express-guard-first':
        return expressApp(guarded, runs, false);
      case 'hono':
        return honoApp(guarded, runs);
      case 'node':
        return nodeApp(guarded, runs);
    }
  });
  return { origin: served.origin, runs, close: served.close };
}

/** A request to one of these apps. */
export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  /** Sent verbatim. */
  readonly target: string;
  readonly body?: string;
  readonly contentType?: string;
}

/**
 * Send `sent` to `origin` with the mandate and a fresh proof; the body encoded as its charset
 * says (UTF-16LE when it names it). Resolves the status and the JSON reply (if any).
 */
export async function sendSigned(
  origin: string,
  credentials: { readonly token: string; readonly signer: KeyPair },
  sent: SignedRequest,
): Promise<{ status: number; body: unknown }> {
  const dpop = await prove(credentials.token, {
    signer: credentials.signer,
    request: { method: sent.method, url: `${origin}${sent.target.split('?')[0] ?? ''}` },
  });
  const utf16 = sent.contentType?.includes('utf-16le') === true;
  const payload =
    sent.body === undefined ? undefined : Buffer.from(sent.body, utf16 ? 'utf16le' : 'utf8');
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: sent.method,
        path: sent.target,
        agent: false,
        headers: {
          authorization: `DPoP ${credentials.token}`,
          dpop,
          ...(sent.contentType === undefined ? {} : { 'content-type': sent.contentType }),
          ...(payload === undefined ? {} : { 'content-length': String(payload.length) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The bank's verifier, and a holder whose mandate sends to anyone but mallory, at most 100. */
export interface BankHolder {
  readonly verifier: Verifier;
  readonly token: string;
  readonly signer: KeyPair;
}

/** Make the bank's trust anchor, its verifier and one holder's mandate (a memo is optional). */
export async function createBankHolder(): Promise<BankHolder> {
  const AS = 'https://as.test';
  const SERVICE = 'https://bank.test';
  const [anchor, signer] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const mandate = await mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'alice',
    holder: signer.publicJwk,
    capabilities: [
      {
        resource: TRANSFER.resource,
        actions: [TRANSFER.action],
        constraints: {
          to: { constraint_type: 'not_one_of', excluded: ['mallory'] },
          amount: { min: 0, max: 100 },
          memo: { constraint_type: 'wildcard' },
        },
        optional: ['memo'],
      },
    ],
    audience: SERVICE,
    expiresIn: '10m',
  });
  const verifier = createVerifier({
    trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
    audience: SERVICE,
  });
  return { verifier, token: mandate.token, signer };
}
