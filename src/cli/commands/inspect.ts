/** `mandate inspect`: decode a mandate (nothing verified) and show its blocks. */
import type { Capability, Format } from '../../core/types.js';
import { TOOL_ACTION, toolFromResource } from '../../format/aat/claims.js';
import { decodeChain, parseMandate } from '../../format/parse.js';
import type { Command } from '../command.js';
import { tokenInput } from '../inputs.js';
import { MANDATE } from '../options.js';

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

/** One block's capabilities; an AAT block's as its tools. */
function describeCapabilities(format: Format, capabilities: readonly Capability[]): string {
  if (capabilities.length === 0) {
    return format === 'aat' ? '  no tools (an empty capability set)\n' : '  no capabilities\n';
  }
  return capabilities
    .map((c) => {
      const where =
        c.constraints === undefined || Object.keys(c.constraints).length === 0
          ? ''
          : ` where ${JSON.stringify(c.constraints)}`;
      const tool = format === 'aat' ? toolFromResource(c.resource) : undefined;
      if (tool !== undefined && c.actions.length === 1 && c.actions[0] === TOOL_ACTION) {
        return `  tool ${JSON.stringify(tool)}${where === '' ? ' (any arguments)' : where}\n`;
      }
      return `  may ${c.actions.join(',')} on ${c.resource}${where}\n`;
    })
    .join('');
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'Decode a mandate and show its blocks. Nothing is verified.',
  synopsis: 'TOKEN | --mandate TOKEN',
  options: { mandate: { ...MANDATE, required: false } },
  positionals: { name: 'TOKEN', min: 0, max: 1 },
  missing: (args) =>
    args.positionals.length === 0 && !args.has('mandate') ? ['TOKEN (or --mandate TOKEN)'] : [],
  description:
    "Shows each block's id (what mandate revoke takes), issuer, holder, validity window and\n" +
    'capabilities; a Biscuit block also shows its revocation id. TOKEN may be @file or -.',
  example: 'mandate inspect @child.token\nmandate mint ... | mandate inspect -',
  async run(args) {
    const token = await tokenInput(args.positionals[0] ?? args.string('mandate') ?? '', 'TOKEN');
    const mandate = await parseMandate(token);
    // The public view has no encoding-specific fields: a Biscuit block's revocation id (which a
    // verifier also looks up, so `revoke` takes either id) comes from the decoder.
    const decoded = mandate.format === 'biscuit' ? await decodeChain(token) : [];
    process.stdout.write('NOT VERIFIED: decoded only, nothing about this mandate is checked.\n');
    process.stdout.write(
      mandate.format === 'aat'
        ? 'format: aat (draft-niyikiza-oauth-attenuating-agent-tokens-02)\n' +
            `subject: none in AAT; the authority is the root issuer's own grant (${mandate.subject})\n`
        : `format: ${mandate.format}\nsubject: ${mandate.subject}\n`,
    );
    for (const [hop, block] of mandate.blocks.entries()) {
      const revocationId = decoded[hop]?.revocationId;
      process.stdout.write(
        `\nblock ${hop}  id ${block.id}\n` +
          (revocationId === undefined ? '' : `  revocation id ${revocationId}\n`) +
          `  issuer  ${block.issuer}\n  holder  ${block.holder}\n` +
          `  issued  ${isoTime(block.issuedAt)}  expires ${isoTime(block.expiresAt)}` +
          `  depth ${block.depth}/${block.maxDepth}` +
          `${block.audience === undefined ? '' : `  audience ${block.audience.join(', ')}`}\n` +
          describeCapabilities(mandate.format, block.capabilities),
      );
    }
    return 0;
  },
};
