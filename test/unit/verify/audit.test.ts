/** Audit records through a logger, and as OpenTelemetry span attributes through the API. */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  trace,
  ROOT_CONTEXT,
  type Context,
  type ContextManager,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  auditRecord,
  createAuditor,
  spanAttributes,
  type AuditRecord,
} from '../../../src/verify/audit.js';
import type { Decision } from '../../../src/index.js';

const ALLOWED: Decision = {
  allowed: true,
  subject: 'alice',
  chain: ['https://as.test', 'urn:a', 'urn:b'],
  capabilities: [],
  holder: 'urn:b',
  blockIds: ['r', 'h1'],
  format: 'jws',
};
const DENIED: Decision = {
  allowed: false,
  code: 'MANDATE_FORBIDDEN',
  hop: 1,
  check: 'authorize',
  reason: 'no capability allows pay on billing:invoices/2026-04',
  detail: { secret: 'never logged' },
};
const ACTION = { resource: 'billing:invoices/2026-04', action: 'pay', args: { amount: 120 } };

/** A recording span and tracer: what an OpenTelemetry SDK would export. */
class RecordingSpan {
  attributes: Record<string, unknown> = {};
  ended = false;
  constructor(readonly name: string) {}
  setAttributes(attributes: Record<string, unknown>) {
    Object.assign(this.attributes, attributes);
    return this;
  }
  end() {
    this.ended = true;
  }
  spanContext() {
    return { traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', traceFlags: 1 };
  }
  isRecording() {
    return true;
  }
}
const spans: RecordingSpan[] = [];
const tracer = {
  startSpan(name: string) {
    const span = new RecordingSpan(name);
    spans.push(span);
    return span;
  },
} as unknown as Tracer;
const provider: TracerProvider = { getTracer: () => tracer };

class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active() {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ) {
    return this.als.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T) {
    return target;
  }
  enable() {
    return this;
  }
  disable() {
    return this;
  }
}

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AlsContextManager());
});

describe('audit', () => {
  it('a record names user, chain, action, result, code and hop, never argument values or detail', () => {
    const allowed = auditRecord(
      ALLOWED,
      ACTION,
      { transport: 'http', target: 'POST https://p/x' },
      new Date(0),
    );
    expect(allowed).toEqual({
      event: 'mandate.decision',
      time: '1970-01-01T00:00:00.000Z',
      result: 'allowed',
      user: 'alice',
      chain: ['https://as.test', 'urn:a', 'urn:b'],
      blockIds: ['r', 'h1'],
      action: { resource: 'billing:invoices/2026-04', action: 'pay', args: ['amount'] },
      transport: 'http',
      target: 'POST https://p/x',
    });
    const denied = auditRecord(DENIED, ACTION);
    expect(denied).toMatchObject({
      result: 'denied',
      code: 'MANDATE_FORBIDDEN',
      hop: 1,
      check: 'authorize',
    });
    expect(JSON.stringify(denied)).not.toContain('never logged');
    expect(JSON.stringify(denied)).not.toContain('120');
  });

  it('goes to the injected logger; a throwing logger changes nothing', async () => {
    const records: AuditRecord[] = [];
    await createAuditor({ logger: (r) => records.push(r), tracing: false }).record(DENIED, ACTION);
    expect(records).toHaveLength(1);
    await expect(
      createAuditor({
        logger: () => {
          throw new Error('disk full');
        },
      }).record(ALLOWED, ACTION),
    ).resolves.toBeUndefined();
  });

  it('sets span attributes on a mandate.decision span when no span is active', async () => {
    spans.length = 0;
    await createAuditor().record(DENIED, ACTION, { transport: 'mcp', target: 'pay_invoice' });
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('mandate.decision');
    expect(spans[0]!.ended).toBe(true);
    expect(spans[0]!.attributes).toEqual({
      'mandate.result': 'denied',
      'mandate.allowed': false,
      'mandate.resource': 'billing:invoices/2026-04',
      'mandate.action': 'pay',
      'mandate.code': 'MANDATE_FORBIDDEN',
      'mandate.hop': 1,
      'mandate.check': 'authorize',
      'mandate.transport': 'mcp',
      'mandate.target': 'pay_invoice',
    });
  });

  it('sets them on the active span when there is one (the request span)', async () => {
    spans.length = 0;
    const requestSpan = tracer.startSpan('POST /pay') as unknown as RecordingSpan;
    await context.with(trace.setSpan(context.active(), requestSpan as unknown as Span), () =>
      createAuditor().record(ALLOWED, ACTION),
    );
    expect(spans).toHaveLength(1);
    expect(requestSpan.ended).toBe(false);
    expect(requestSpan.attributes).toMatchObject({
      'mandate.allowed': true,
      'mandate.user': 'alice',
      'mandate.chain': ['https://as.test', 'urn:a', 'urn:b'],
    });
  });

  it('spanAttributes maps every field', () => {
    expect(Object.keys(spanAttributes(auditRecord(ALLOWED, ACTION, { transport: 'a2a' })))).toEqual(
      [
        'mandate.result',
        'mandate.allowed',
        'mandate.resource',
        'mandate.action',
        'mandate.user',
        'mandate.chain',
        'mandate.block_ids',
        'mandate.transport',
      ],
    );
  });

  it('rejects misuse', () => {
    expect(() => createAuditor({ logger: 'console' as never })).toThrow(TypeError);
  });
});
