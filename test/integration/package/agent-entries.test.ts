/**
 * The agent-framework entry points export each shared helper once: `mandate/agents` holds what
 * `mandate/ai`, `mandate/langchain` and `mandate/openai-agents` share, and no framework entry
 * re-exports any of it (each keeps only its framework's own API).
 */
import { describe, expect, it } from 'vitest';
import * as agents from '../../../src/adapters/agents/index.js';
import * as ai from '../../../src/adapters/ai/index.js';
import * as langchain from '../../../src/adapters/langchain/index.js';
import * as openaiAgents from '../../../src/adapters/openai-agents/index.js';

const SHARED = [
  'createRunAuthority',
  'isRunAuthority',
  'delegateTo',
  'declaredRequirements',
  'describeDenial',
  'ToolDeniedError',
  'callMcpTool',
  'resultText',
  'approvalsFromAnswer',
  'askForApprovals',
  'assertApprovalsCover',
  'retryWithApprovals',
];

describe('mandate/agents', () => {
  it('exports the shared helpers, and nothing else', () => {
    expect(Object.keys(agents).sort()).toEqual([...SHARED].sort());
  });

  it.each([
    [
      'mandate/ai',
      ai,
      [
        'answerApprovals',
        'approvalReason',
        'approvalResponse',
        'guardTools',
        'mandateContext',
        'mandateMcpTools',
        'mandateOf',
        'mandateToolApproval',
        'mandateTransport',
        'pendingApprovals',
      ],
    ],
    [
      'mandate/langchain',
      langchain,
      [
        'approvalInterrupts',
        'callMcpToolWithApproval',
        'delegatingNode',
        'guardTools',
        'mandateOf',
        'withMandate',
      ],
    ],
    [
      'mandate/openai-agents',
      openaiAgents,
      [
        'APPROVALS_KEY',
        'answerApproval',
        'answerApprovals',
        'createAgentsToolGuard',
        'delegatingAgentTool',
        'delegatingHandoff',
        'denialErrorFunction',
        'mandateOf',
        'mcpTool',
        'pendingApprovals',
        'resumeRunState',
      ],
    ],
  ] as const)(
    '%s exports only its framework API, none of the shared helpers',
    (_name, entry, own) => {
      const names = Object.keys(entry);
      expect(names.filter((name) => SHARED.includes(name))).toEqual([]);
      expect([...names].sort()).toEqual([...own].sort());
    },
  );
});
