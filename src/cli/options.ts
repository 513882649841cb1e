/**
 * Options that several commands take, spelled once so that their help reads the same
 * everywhere. Each command lists the ones it takes in its own table.
 */
import type { OptionSpec } from './command.js';

const FROM = 'the value, @file or - (stdin)';

export const MANDATE: OptionSpec = {
  type: 'string',
  value: 'TOKEN',
  help: `the mandate: ${FROM}`,
  required: true,
};
export const SIGNER: OptionSpec = {
  type: 'string',
  value: 'KEY',
  help: `the current holder's private JWK: ${FROM}`,
  required: true,
};
export const HOLDER: OptionSpec = {
  type: 'string',
  value: 'PUBJWK',
  help: `the new holder's public JWK: ${FROM}`,
  required: true,
};
export const CAPS: OptionSpec = {
  type: 'string',
  value: 'JSON',
  help: `capabilities, a JSON array of { resource, actions, constraints? }: ${FROM}`,
};
export const TOOLS: OptionSpec = {
  type: 'string',
  value: 'JSON',
  help: `an AAT tools map { tool: { arg: constraint } } instead of --caps: ${FROM}`,
};
export const AUDIENCE: OptionSpec = {
  type: 'string',
  value: 'A',
  help: 'the service(s) the mandate is for',
};
export const MAX_DEPTH: OptionSpec = {
  type: 'string',
  value: 'N',
  help: 'further delegations allowed below this block',
};
export const NOW: OptionSpec = {
  type: 'string',
  value: 'SECONDS',
  help: 'the time to use, in seconds since the epoch (tests, replays)',
};
export const METHOD: OptionSpec = { type: 'string', value: 'M', help: 'the HTTP method' };
export const URL: OptionSpec = { type: 'string', value: 'U', help: 'the HTTP URL' };
export const TOOL: OptionSpec = { type: 'string', value: 'T', help: 'the tool name (MCP, AAT)' };
export const ARGS: OptionSpec = {
  type: 'string',
  value: 'JSON',
  help: `the tool call's arguments, a JSON object: ${FROM}`,
};
export const NONCE: OptionSpec = { type: 'string', value: 'N', help: 'the server-issued nonce' };
export const REDIS: OptionSpec = {
  type: 'string',
  value: 'URL',
  help: 'the Redis that the fleet of verifiers shares (or MANDATE_REDIS_URL, kept out of ps)',
};
export const PREFIX: OptionSpec = {
  type: 'string',
  value: 'P',
  help: "the stores' key prefix in Redis",
};
