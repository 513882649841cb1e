/**
 * Every `mandate` subcommand, in the order `mandate --help` lists them. A new command is one
 * module in this folder and one entry here.
 */
import type { Command } from '../command.js';
import { approve } from './approve.js';
import { delegate } from './delegate.js';
import { demo } from './demo.js';
import { inspect } from './inspect.js';
import { inspector } from './inspector.js';
import { keygen } from './keygen.js';
import { mint } from './mint.js';
import { prove } from './prove.js';
import { revoke } from './revoke.js';
import { verify } from './verify.js';

export const COMMANDS: readonly Command[] = [
  demo,
  keygen,
  mint,
  delegate,
  prove,
  verify,
  approve,
  inspect,
  revoke,
  inspector,
];
