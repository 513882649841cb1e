/**
 * The Inspector's JSON API, independent of HTTP: request bodies are parsed strictly (no
 * duplicate keys, bounded nesting), validated with zod, and answered with a view, a
 * `Decision`, or a coded error. Nothing here throws past `handleApi`.
 *
 * @module
 */
import { z } from 'zod';
import { isMandateError } from '../../core/errors.js';
import { findJsonProblem } from '../../core/json-text.js';
import { systemClock } from '../../core/time.js';
import type { Action, BlockView, Json } from '../../core/types.js';
import { parseMandate } from '../../format/parse.js';
import { MAX_APPROVALS } from '../../verify/approval-rule.js';
import type { Decision } from '../../verify/decision.js';
import { createVerifier, type Verifier } from '../../verify/verifier.js';
import type { JWK } from 'jose';
import { approvalReport, type ApprovalReport } from './approval-report.js';
import { exampleChain } from './example.js';
import { guessForeign } from './guess.js';
import { inspectToken, type InspectView } from './view.js';

/** Largest request body accepted, in bytes: a token is at most 16 KiB, plus anchors. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Deepest JSON nesting accepted in a request body (a constraint tree fits well within). */
const MAX_BODY_DEPTH = 24;

/** The Inspector's own error codes; a token that does not decode keeps the library's code. */
export type InspectorErrorCode =
  | 'INSPECTOR_BAD_JSON'
  | 'INSPECTOR_BAD_REQUEST'
  | 'INSPECTOR_BAD_ANCHORS'
  | 'INSPECTOR_TOO_LARGE'
  | 'INSPECTOR_UNSUPPORTED_MEDIA_TYPE'
  | 'INSPECTOR_NOT_FOUND'
  | 'INSPECTOR_METHOD_NOT_ALLOWED'
  | 'INSPECTOR_FORBIDDEN'
  | 'INSPECTOR_INTERNAL';

/** A coded error body: `{ error: { code, message, ... } }`. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hop?: number;
    readonly check?: string;
    readonly issues?: readonly { readonly path: string; readonly message: string }[];
  };
}

/** An HTTP status and a JSON body. */
export interface ApiResponse {
  readonly status: number;
  readonly body: object;
}

/** A coded error response. */
export function apiError(
  status: number,
  code: InspectorErrorCode,
  message: string,
  extra: Omit<ApiErrorBody['error'], 'code' | 'message'> = {},
): ApiResponse {
  const body: ApiErrorBody = { error: { code, message, ...extra } };
  return { status, body };
}

// A JWK's members are short strings; anything else is refused before any key import.
const jwkSchema = z
  .record(z.string().max(64), z.string().max(4096))
  .refine((jwk) => Object.keys(jwk).length <= 16, 'has too many members');

const tokenSchema = z.string().trim().min(1, 'is empty').max(MAX_BODY_BYTES);

const jsonValue = z.custom<Json>(() => true);

const INSPECT_SCHEMA = z.strictObject({ token: tokenSchema });

const VERIFY_SCHEMA = z.strictObject({
  token: tokenSchema,
  // Static keys only: an anchor with a JWKS URL would make the Inspector fetch arbitrary URLs.
  anchors: z
    .array(z.strictObject({ id: z.string().min(1).max(1024), publicJwk: jwkSchema }))
    .min(1, 'needs at least one trust anchor')
    .max(16),
  audience: z.string().min(1, 'is empty').max(1024),
  action: z.strictObject({
    resource: z.string().min(1).max(1024),
    action: z.string().min(1).max(128),
    args: z.record(z.string().max(128), jsonValue).optional(),
  }),
  proof: z.string().min(1).max(MAX_BODY_BYTES).optional(),
  request: z
    .union([
      z.strictObject({ method: z.string().min(1).max(16), url: z.string().min(1).max(4096) }),
      z.strictObject({
        tool: z.string().min(1).max(128),
        args: z.record(z.string().max(128), jsonValue),
      }),
    ])
    .optional(),
  now: z.number().int().nonnegative().max(1e11).optional(),
  // Approvals of this call (`approve`); each is read by the verifier's own reader, which
  // refuses one longer than MAX_APPROVAL_LENGTH with a coded denial.
  approvals: z.array(z.string().min(1).max(MAX_BODY_BYTES)).max(MAX_APPROVALS).optional(),
  // The originating user's registered keys: what `'user'` approvers resolve to.
  userKeys: z.array(jwkSchema).max(8).optional(),
});

/** The answer of `POST /api/verify`. */
export interface VerifyView {
  readonly decision: Decision;
  /** Whether a proof of possession was checked; without one the caller's key was not. */
  readonly possessionChecked: boolean;
  /** What this verification did not cover, for the page to say plainly. */
  readonly notes: readonly string[];
  /**
   * The approval requirements that cover the call and what the verifier made of each pasted
   * approval; present when approvals were given or a requirement covers the call.
   */
  readonly approvals?: ApprovalReport;
}

/** A coded error response, thrown from deep in a handler and answered by `handleApi`. */
class ApiFailure extends Error {
  readonly response: ApiResponse;
  constructor(response: ApiResponse) {
    super('inspector API failure');
    this.response = response;
  }
}

function failWith(...args: Parameters<typeof apiError>): never {
  throw new ApiFailure(apiError(...args));
}

/** Parse a body strictly: UTF-8, JSON, no duplicate keys, bounded nesting, an object. */
function parseBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    failWith(400, 'INSPECTOR_BAD_JSON', 'the body is not valid UTF-8');
  }
  // Checked before JSON.parse, which would keep the last of duplicate keys silently.
  const problem = findJsonProblem(text, MAX_BODY_DEPTH);
  if (problem !== undefined) failWith(400, 'INSPECTOR_BAD_JSON', `the body has a ${problem}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    failWith(400, 'INSPECTOR_BAD_JSON', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    failWith(400, 'INSPECTOR_BAD_JSON', 'the body must be a JSON object');
  }
  return value;
}

function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 8).map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message.slice(0, 200),
  }));
  const first = issues[0];
  failWith(
    400,
    'INSPECTOR_BAD_REQUEST',
    first === undefined ? 'invalid request' : `${first.path}: ${first.message}`,
    { issues },
  );
}

/**
 * A token that does not decode: the library's own code, hop and rule, and what the input
 * most plausibly is instead (`guess`: "a JWT, not a mandate").
 */
function undecodable(error: unknown, token: string): ApiResponse {
  if (isMandateError(error)) {
    const body: ApiErrorBody & { guess: ReturnType<typeof guessForeign> } = {
      error: {
        code: error.code,
        message: error.message,
        ...(error.hop === undefined ? {} : { hop: error.hop }),
        check: error.check,
      },
      guess: guessForeign(token),
    };
    return { status: 422, body };
  }
  throw error;
}

async function inspect(body: unknown): Promise<ApiResponse> {
  const { token } = validate(INSPECT_SCHEMA, body);
  let view: InspectView;
  try {
    view = await inspectToken(token);
  } catch (error) {
    return undecodable(error, token);
  }
  return { status: 200, body: view };
}

async function verify(body: unknown): Promise<ApiResponse> {
  const input = validate(VERIFY_SCHEMA, body);
  if (input.proof !== undefined && input.request === undefined) {
    return apiError(400, 'INSPECTOR_BAD_REQUEST', 'a proof needs the request it is bound to', {
      issues: [{ path: 'request', message: 'is required with a proof' }],
    });
  }
  const possessionChecked = input.proof !== undefined;
  // One instant for every verification of this request, so their answers agree.
  const now = input.now ?? systemClock();
  const userKeys = (input.userKeys ?? []) as readonly JWK[];
  // A fresh verifier per verification: each has its own replay store, so verifying the same
  // proof and approvals again (each approval alone, below) is not a replay.
  const freshVerifier = (): Verifier => {
    try {
      return createVerifier({
        trustAnchors: input.anchors,
        audience: input.audience,
        // Without a proof the Inspector can only answer "would this chain allow it": the
        // page says that possession of the last holder's key was not checked.
        requireProof: possessionChecked,
        clock: () => now,
        ...(input.userKeys === undefined ? {} : { userKeys: () => userKeys }),
      });
    } catch (error) {
      // createVerifier validates anchors eagerly and throws TypeError on a bad key or id.
      failWith(
        400,
        'INSPECTOR_BAD_ANCHORS',
        error instanceof Error ? error.message : 'invalid trust anchors',
      );
    }
  };
  const decide = async (approvals: readonly string[] | undefined): Promise<Decision> => {
    try {
      return await freshVerifier().verify(input.token, {
        action: input.action as Action,
        ...(input.proof === undefined ? {} : { proof: input.proof }),
        ...(input.request === undefined ? {} : { request: input.request }),
        ...(approvals === undefined ? {} : { approvals }),
      });
    } catch (error) {
      // verify throws only on misuse (TypeError); anything else is a bug, reported as internal.
      if (error instanceof TypeError) failWith(400, 'INSPECTOR_BAD_REQUEST', error.message);
      throw error;
    }
  };
  const decision = await decide(input.approvals);
  const report = await reportApprovals(input, decision, now, userKeys, decide);
  const notes = [
    possessionChecked
      ? 'Possession was checked: the proof must be signed by the last holder for this request.'
      : 'Possession was NOT checked: no proof was given, so anyone holding this token would get this answer.',
    'Revocation was not checked: the Inspector has no revocation store.',
    'Replay is not tracked across requests: each verification uses a fresh verifier.',
    ...(input.approvals === undefined
      ? []
      : [
          'Approvals are checked with a fresh replay store: one already used at a service still shows as unused here.',
        ]),
  ];
  const view: VerifyView = {
    decision,
    possessionChecked,
    notes,
    ...(report === undefined ? {} : { approvals: report }),
  };
  return { status: 200, body: view };
}

/**
 * The approvals report, when approvals were pasted or a requirement of the (decoded) chain
 * covers the call; undefined otherwise.
 */
async function reportApprovals(
  input: z.infer<typeof VERIFY_SCHEMA>,
  decision: Decision,
  now: number,
  userKeys: readonly JWK[],
  decide: (approvals: readonly string[]) => Promise<Decision>,
): Promise<ApprovalReport | undefined> {
  let blocks: readonly BlockView[] | undefined;
  try {
    blocks = (await parseMandate(input.token)).blocks;
  } catch (error) {
    // The verifier's decision already names why the token does not decode.
    if (!isMandateError(error)) throw error;
  }
  const anyRequirement = (blocks ?? []).some((block) => (block.approvals ?? []).length > 0);
  if (input.approvals === undefined && !anyRequirement) return undefined;
  return approvalReport({
    blocks,
    action: input.action as Action,
    approvals: input.approvals ?? [],
    userKeys,
    now,
    decision,
    decide,
  });
}

const EXAMPLE_SCHEMA = z.strictObject({});

async function example(body: unknown): Promise<ApiResponse> {
  validate(EXAMPLE_SCHEMA, body);
  return { status: 200, body: await exampleChain() };
}

/** The API's routes: path → handler of a parsed body. */
const ROUTES: Readonly<Record<string, (body: unknown) => Promise<ApiResponse>>> = {
  '/api/inspect': inspect,
  '/api/verify': verify,
  '/api/example': example,
};

/** Whether `path` is an API route (POST only). */
export function isApiRoute(path: string): boolean {
  return Object.hasOwn(ROUTES, path);
}

/**
 * Answer one API request whose body was already read (at most {@link MAX_BODY_BYTES}).
 * Never throws: every failure is a coded error response.
 */
export async function handleApi(path: string, bytes: Uint8Array): Promise<ApiResponse> {
  const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (route === undefined) return apiError(404, 'INSPECTOR_NOT_FOUND', 'no such endpoint');
  try {
    return await route(parseBody(bytes));
  } catch (error) {
    if (error instanceof ApiFailure) return error.response;
    // Never the error's message: an unexpected failure may carry anything.
    return apiError(500, 'INSPECTOR_INTERNAL', 'the request failed unexpectedly');
  }
}
