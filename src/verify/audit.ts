/**
 * Audit: every Decision as one structured record (who, through whom, what, the outcome),
 * through an injected logger, and as OpenTelemetry span attributes when `@opentelemetry/api`
 * is installed (loaded lazily; absent, nothing is traced and nothing fails).
 */
import type { Action } from '../core/types.js';
import type { Decision } from './decision.js';

/** One audited decision. Never holds the token, a proof, key material or argument values. */
export interface AuditRecord {
  readonly event: 'mandate.decision';
  /** ISO 8601 time the record was made. */
  readonly time: string;
  readonly result: 'allowed' | 'denied';
  /** The originating user (allowed only: a denied chain's user is not established). */
  readonly user?: string;
  /** The trust anchor's id, then each holder's principal id (allowed only). */
  readonly chain?: readonly string[];
  /** The block ids, root first (allowed only), to revoke from an audit trail. */
  readonly blockIds?: readonly string[];
  /** What was asked: resource, action and the names (not values) of its arguments. */
  readonly action: {
    readonly resource: string;
    readonly action: string;
    readonly args?: readonly string[];
  };
  readonly code?: string;
  readonly hop?: number;
  readonly check?: string;
  readonly reason?: string;
  /** Where the decision was made: `http`, `mcp`, `a2a`, or the caller's label. */
  readonly transport?: string;
  /** The request's target (an HTTP URL without query, a tool name, an agent's task). */
  readonly target?: string;
  /** The framework's id of the tool call, when it has one (agent framework adapters). */
  readonly callId?: string;
}

/** What a logger receives: one record per decision. */
export type AuditLogger = (record: AuditRecord) => void;

/** Options of `createAuditor`. */
export interface AuditorOptions {
  /** Receives every record. Default: none (only tracing). A throwing logger is ignored. */
  readonly logger?: AuditLogger;
  /**
   * Set span attributes through `@opentelemetry/api` when it can be imported: on the
   * active span if there is one, else on a short `mandate.decision` span. Default true.
   */
  readonly tracing?: boolean;
  /** The tracer name used for the `mandate.decision` span. Default `'mandate'`. */
  readonly tracerName?: string;
}

/** Where a decision was made, for the record. */
export interface AuditContext {
  readonly transport?: string;
  readonly target?: string;
  /** The framework's id of the tool call. */
  readonly callId?: string;
}

/** Emits audit records. Adapters take one as their `audit` option. */
export interface Auditor {
  /** Record one decision. Never throws; resolves once the record is out. */
  record(decision: Decision, action: Action, context?: AuditContext): Promise<void>;
}

/** Build the structured record of a decision (pure; exported for custom sinks). */
export function auditRecord(
  decision: Decision,
  action: Action,
  context: AuditContext = {},
  now: Date = new Date(),
): AuditRecord {
  const asked = {
    resource: String(action?.resource),
    action: String(action?.action),
    ...(action?.args === undefined ? {} : { args: Object.keys(action.args).sort() }),
  };
  const where = {
    ...(context.transport === undefined ? {} : { transport: context.transport }),
    ...(context.target === undefined ? {} : { target: context.target }),
    ...(context.callId === undefined ? {} : { callId: context.callId }),
  };
  if (decision.allowed) {
    return {
      event: 'mandate.decision',
      time: now.toISOString(),
      result: 'allowed',
      user: decision.subject,
      chain: decision.chain,
      blockIds: decision.blockIds,
      action: asked,
      ...where,
    };
  }
  return {
    event: 'mandate.decision',
    time: now.toISOString(),
    result: 'denied',
    action: asked,
    code: decision.code,
    hop: decision.hop,
    check: decision.check,
    reason: decision.reason,
    ...where,
  };
}

/** OpenTelemetry attribute names (`mandate.*`) and values for a record. */
export function spanAttributes(
  record: AuditRecord,
): Record<string, string | number | boolean | string[]> {
  const attributes: Record<string, string | number | boolean | string[]> = {
    'mandate.result': record.result,
    'mandate.allowed': record.result === 'allowed',
    'mandate.resource': record.action.resource,
    'mandate.action': record.action.action,
  };
  if (record.user !== undefined) attributes['mandate.user'] = record.user;
  if (record.chain !== undefined) attributes['mandate.chain'] = [...record.chain];
  if (record.blockIds !== undefined) attributes['mandate.block_ids'] = [...record.blockIds];
  if (record.code !== undefined) attributes['mandate.code'] = record.code;
  if (record.hop !== undefined) attributes['mandate.hop'] = record.hop;
  if (record.check !== undefined) attributes['mandate.check'] = record.check;
  if (record.transport !== undefined) attributes['mandate.transport'] = record.transport;
  if (record.target !== undefined) attributes['mandate.target'] = record.target;
  if (record.callId !== undefined) attributes['mandate.call_id'] = record.callId;
  return attributes;
}

interface OtelSpan {
  setAttributes(attributes: Record<string, unknown>): unknown;
  end(): void;
}
interface OtelApi {
  trace: {
    getActiveSpan(): OtelSpan | undefined;
    getTracer(name: string): { startSpan(name: string): OtelSpan };
  };
}

let otel: Promise<OtelApi | undefined> | undefined;

/** `@opentelemetry/api`, imported once; undefined when it is not installed. */
function loadOtel(): Promise<OtelApi | undefined> {
  otel ??= import('@opentelemetry/api').then(
    (api) => api as unknown as OtelApi,
    () => undefined,
  );
  return otel;
}

/** Create an auditor: a logger and/or OpenTelemetry span attributes per decision. */
export function createAuditor(options: AuditorOptions = {}): Auditor {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createAuditor takes an options object');
  }
  if (options.logger !== undefined && typeof options.logger !== 'function') {
    throw new TypeError('logger must be a function');
  }
  const tracing = options.tracing ?? true;
  const tracerName = options.tracerName ?? 'mandate';
  return {
    async record(decision, action, context) {
      const record = auditRecord(decision, action, context);
      try {
        options.logger?.(record);
      } catch {
        // An audit sink must never turn into a decision.
      }
      if (!tracing) return;
      try {
        const api = await loadOtel();
        if (api === undefined) return;
        const active = api.trace.getActiveSpan();
        const attributes = spanAttributes(record);
        if (active !== undefined) {
          active.setAttributes(attributes);
        } else {
          const span = api.trace.getTracer(tracerName).startSpan('mandate.decision');
          span.setAttributes(attributes);
          span.end();
        }
      } catch {
        // Tracing is best effort.
      }
    },
  };
}

/** An `audit` option as adapters accept it: an auditor or a bare logger. */
export type AuditOption = Auditor | AuditLogger;

/** Normalise an adapter's `audit` option. */
export function toAuditor(audit: AuditOption | undefined): Auditor | undefined {
  if (audit === undefined) return undefined;
  if (typeof audit === 'function') return createAuditor({ logger: audit, tracing: false });
  if (typeof audit === 'object' && audit !== null && typeof audit.record === 'function')
    return audit;
  throw new TypeError('audit must be an Auditor (createAuditor) or a logger function');
}
