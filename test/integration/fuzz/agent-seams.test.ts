/**
 * Differential seam fuzzing, agent-framework tool arguments (issue 18): a generated tool (its
 * zod schema defaults, coerces, trims, transforms, strips or keeps unknown keys, has unicode
 * and prototype-named keys) guarded by `mandate/ai` (called by the Vercel AI SDK's
 * `generateText` with its offline mock model), `mandate/langchain` (invoked with a tool call,
 * as LangGraph's `ToolNode` does) and `mandate/openai-agents` (invoked by the SDK's own
 * `invoke` with the model's JSON), under a mandate whose capability constrains generated
 * arguments. These guards verify the arguments after the framework's parsing; the tool body
 * records what it received and the Decision it ran under. The law, per call:
 *
 * - the tool runs only with a Decision, with plain-JSON arguments equal to the verified ones
 *   and to what the framework's schema makes of the model's input, which the capability allows;
 * - a call whose parsed arguments the capability forbids never runs and is denied with a code;
 * - a genuine call (the schema parses it to plain JSON the capability allows) runs.
 *
 * Size: `MANDATE_NUM_RUNS` (default 200 per framework; `npm run fuzz:seams` runs 2,000); a
 * failure prints fast-check's seed, replayed with `MANDATE_SEED=<seed>`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateText, isStepCount, tool as aiTool } from 'ai';
import { tool as langchainTool } from '@langchain/core/tools';
import { RunContext } from '@openai/agents-core';
import {
  createVerifier,
  generateKeyPair,
  mint,
  type CapabilityInput,
  type KeyPair,
  type Verifier,
} from '../../../src/index.js';
import { createRunAuthority } from '../../../src/adapters/agents/index.js';
import * as ai from '../../../src/adapters/ai/index.js';
import * as langchain from '../../../src/adapters/langchain/index.js';
import * as agents from '../../../src/adapters/openai-agents/index.js';
import type { RunAuthority } from '../../../src/adapters/run-authority.js';
import { scriptedModel } from '../ai/script.js';
import {
  allows,
  isPlainJson,
  objectSchemaOf,
  sameJson,
  toolCall,
  TOOL_ACTION,
  type SchemaSpec,
} from './tool-schemas.js';
import { seamRuns, seamTimeout, Tally } from './runs.js';

const AS = 'https://as.test';
const TOOLS = 'https://tools.test';

/** What one call did: the body's run (arguments and verified action), or the denial. */
interface Outcome {
  readonly ran?: { readonly args: unknown; readonly verified: unknown };
  readonly denial?: { readonly code: string; readonly hop: number; readonly check: string };
  /** The framework refused the input itself (its error's name), before any guard. */
  readonly invalid?: string;
  /** The framework cannot build this tool (e.g. a schema with no JSON Schema form). */
  readonly unsupported?: boolean;
}

type CallTool = (
  spec: SchemaSpec,
  args: Record<string, unknown>,
  authority: RunAuthority,
) => Promise<Outcome>;

let verifier: Verifier;

/** A framework's own refusal of input the schema would accept (never the guard's). */
const FRAMEWORK_REFUSES = /forbidden prototype property/;

function nameOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 80)}` : String(error);
}

function denialOf(error: unknown): Outcome['denial'] {
  const denial = (error as { denial?: Outcome['denial'] } | null)?.denial;
  return denial === undefined ? undefined : denial;
}

/** The Vercel AI SDK: `generateText` with its mock model calling the tool with `args`. */
const viaAi: CallTool = async (spec, args, authority) => {
  let ran: Outcome['ran'];
  const tools = ai.guardTools(
    {
      fz: aiTool({
        inputSchema: objectSchemaOf(spec),
        execute: (input: unknown, execution) => {
          ran = { args: input, verified: ai.mandateOf(execution)?.args };
          return 'ran';
        },
      }),
    },
    { verifier, audience: TOOLS, tools: { fz: TOOL_ACTION } },
  );
  let result;
  try {
    result = await generateText({
      model: scriptedModel([{ calls: [{ tool: 'fz', args }] }, { text: 'done' }]),
      tools,
      toolsContext: ai.mandateContext(tools, authority),
      prompt: 'go',
      stopWhen: isStepCount(2),
    });
  } catch (error) {
    // The SDK sends the model each tool's JSON Schema: a schema without one cannot be offered.
    if (ran === undefined && /JSON Schema/.test(String(error))) return { unsupported: true };
    throw error;
  }
  const errors = result.steps
    .flatMap((step) => step.content)
    .filter((part) => part.type === 'tool-error')
    .map((part) => (part as { error: unknown }).error);
  const denial = errors.map(denialOf).find((d) => d !== undefined);
  return {
    ...(ran === undefined ? {} : { ran }),
    ...(denial === undefined ? {} : { denial }),
    ...(errors.length > 0 && denial === undefined ? { invalid: nameOf(errors[0]) } : {}),
  };
};

/** LangChain: the guarded tool invoked with a tool call, as LangGraph's `ToolNode` does. */
const viaLangchain: CallTool = async (spec, args, authority) => {
  let ran: Outcome['ran'];
  const made = langchainTool(
    (input: unknown, config: unknown) => {
      ran = { args: input, verified: langchain.mandateOf(config)?.args };
      return 'ran';
    },
    { name: 'fz', description: 'fuzzed', schema: objectSchemaOf(spec) },
  );
  const [guarded] = langchain.guardTools([made], {
    verifier,
    audience: TOOLS,
    tools: { fz: TOOL_ACTION },
  });
  try {
    await guarded?.invoke(
      { id: 'call-1', name: 'fz', args, type: 'tool_call' },
      langchain.withMandate({}, authority),
    );
    return ran === undefined ? {} : { ran };
  } catch (error) {
    const denial = denialOf(error);
    return {
      ...(ran === undefined ? {} : { ran }),
      ...(denial === undefined ? { invalid: nameOf(error) } : { denial }),
    };
  }
};

/** OpenAI Agents: the SDK's own `invoke` with the model's JSON arguments. */
const viaOpenAiAgents: CallTool = async (spec, args, authority) => {
  let ran: Outcome['ran'];
  const guard = agents.createAgentsToolGuard({ verifier, audience: TOOLS, onDenied: 'return' });
  let made;
  try {
    made = guard.tool({
      name: 'fz',
      description: 'fuzzed',
      parameters: objectSchemaOf(spec),
      requirement: TOOL_ACTION,
      execute: (input: unknown, _context: unknown, details: unknown) => {
        ran = { args: input, verified: agents.mandateOf(details)?.args };
        return 'ran';
      },
    });
  } catch {
    return { unsupported: true };
  }
  const details = {
    toolCall: {
      type: 'function_call' as const,
      callId: 'call-1',
      name: 'fz',
      arguments: JSON.stringify(args),
    },
  };
  const output = await made.invoke(
    new RunContext({ mandate: authority }),
    JSON.stringify(args),
    details,
  );
  // `onDenied: 'return'`: a denial is the tool's output, a ToolDenial.
  const denied = output as { denied?: boolean } | undefined;
  if (denied?.denied === true) {
    return {
      ...(ran === undefined ? {} : { ran }),
      denial: denied as NonNullable<Outcome['denial']>,
    };
  }
  return ran === undefined ? { invalid: String(output).slice(0, 80) } : { ran };
};

const FRAMEWORKS: readonly (readonly [string, CallTool])[] = [
  ['mandate/ai (Vercel AI SDK generateText)', viaAi],
  ['mandate/langchain (tool call invoke)', viaLangchain],
  ['mandate/openai-agents (FunctionTool invoke)', viaOpenAiAgents],
];

let anchor: KeyPair;
let orchestrator: KeyPair;

beforeAll(async () => {
  [anchor, orchestrator] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  verifier = createVerifier({
    trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
    audience: TOOLS,
  });
});

async function authorityFor(capability: CapabilityInput): Promise<RunAuthority> {
  const mandate = await mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'alice',
    holder: orchestrator.publicJwk,
    capabilities: [capability],
    audience: TOOLS,
    expiresIn: '10m',
  });
  return createRunAuthority({ mandate, signer: orchestrator });
}

describe.each(FRAMEWORKS)('differential seam fuzz: %s', (_name, callTool) => {
  it(
    'a tool runs only with the arguments that were verified, and genuine calls run',
    async () => {
      const outcomes = new Tally();
      const count = (key: string) => outcomes.add(key);
      const property = fc.asyncProperty(toolCall, async ([spec, [generated, capability]]) => {
        // What a model sends: JSON text, parsed (an own `__proto__` key stays a member).
        const args = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>;
        const outcome = await callTool(spec, args, await authorityFor(capability));
        const what = `schema ${JSON.stringify(spec)}, sent ${JSON.stringify(args)}, capability ${JSON.stringify(capability)}, outcome ${JSON.stringify(outcome)}`;
        const parsed = objectSchemaOf(spec).safeParse(args);
        if (outcome.unsupported === true) {
          count('unsupported schema');
          return;
        }
        if (outcome.ran !== undefined) {
          count('ran');
          const { args: received, verified } = outcome.ran;
          expect(verified, `${what}: ran without a Decision`).toBeDefined();
          expect(isPlainJson(received), `${what}: ran with non-JSON arguments`).toBe(true);
          expect(
            sameJson(received, verified),
            `${what}: ran with other arguments than verified`,
          ).toBe(true);
          expect(
            allows(capability, received),
            `${what}: ran with arguments the mandate forbids`,
          ).toBe(true);
          // What zod makes of the input, where zod alone accepts it (the OpenAI Agents SDK first
          // reads a null optional member as absent, for its strict JSON Schema: it may run an
          // input zod alone refuses, and then the guard verified what it ran with).
          if (parsed.success) {
            expect(
              sameJson(received, parsed.data),
              `${what}: ran with other arguments than the schema makes of the input`,
            ).toBe(true);
          }
        } else {
          count(
            outcome.denial === undefined
              ? outcome.invalid !== undefined
                ? 'invalid input'
                : 'nothing'
              : `${outcome.denial.code}/${outcome.denial.check}`,
          );
        }
        if (outcome.denial !== undefined) {
          expect(outcome.denial, what).toMatchObject({
            code: expect.stringMatching(/^MANDATE_/),
            hop: expect.any(Number),
            check: expect.any(String),
          });
        }
        if (parsed.success && !allows(capability, parsed.data)) {
          expect(outcome.ran, `${what}: forbidden as parsed, yet it ran`).toBeUndefined();
        }
        if (parsed.success && isPlainJson(parsed.data) && allows(capability, parsed.data)) {
          // The AI SDK's own JSON parser (secure-json-parse) refuses a `__proto__` member
          // before any schema or guard: the framework's refusal, not the guard's.
          if (outcome.invalid !== undefined && FRAMEWORK_REFUSES.test(outcome.invalid)) {
            count('genuine, refused by the framework itself');
            return;
          }
          expect(
            outcome.ran,
            `${what}: genuine (parsed to JSON the mandate allows), yet it did not run`,
          ).toBeDefined();
        }
      });
      await fc.assert(property, seamRuns());
      console.log(`${_name}: ${outcomes.toString()}`);
      expect(outcomes.get('ran')).toBeGreaterThan(0);
    },
    seamTimeout(),
  );
});
