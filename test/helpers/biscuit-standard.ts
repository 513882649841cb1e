/**
 * Plain Biscuit work on biscuit-wasm, independent of Mandate's token layout: what a standard
 * Biscuit application does (mint a token, attenuate it, verify it with the root key and authorize
 * a request). The wasm lifecycle tests interleave it with Mandate's own calls, so that retirement
 * is exercised whatever Mandate's verify path runs in wasm.
 */
import { withBiscuit } from '../../src/format/biscuit/wasm.js';

/** A root key and `count` distinct 2-block tokens (authority + one attenuation), as bytes. */
export interface StandardTokens {
  readonly rootPrivateKey: Uint8Array;
  readonly rootPublicKey: Uint8Array;
  readonly tokens: readonly Uint8Array[];
}

const ROOT_SEED = new Uint8Array(32).fill(42);

/** Mints `count` never-seen 2-block tokens with biscuit-wasm (one `withBiscuit` call each). */
export async function mintStandardTokens(count: number): Promise<StandardTokens> {
  const rootPublicKey = await withBiscuit((api, scope) => {
    const root = scope.own(api.PrivateKey.fromBytes(ROOT_SEED, 0));
    const out = new Uint8Array(32);
    scope.own(scope.own(api.KeyPair.fromPrivateKey(root)).getPublicKey()).toBytes(out);
    return out;
  });
  const tokens: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      await withBiscuit((api, scope) => {
        const builder = scope.own(api.Biscuit.builder());
        builder.addCodeWithParameters(
          'user({user}); right("invoices", "pay"); check if time($t), $t < {exp};',
          { user: `user-${i}`, exp: { date: '2100-01-01T00:00:00Z' } },
          {},
        );
        const root = scope.own(api.PrivateKey.fromBytes(ROOT_SEED, 0));
        const token = scope.own(builder.build(root));
        const block = scope.own(api.Biscuit.block_builder());
        block.addCode('check if operation("pay");');
        return scope.own(token.appendBlock(block)).toBytes();
      }),
    );
  }
  return { rootPrivateKey: ROOT_SEED, rootPublicKey, tokens };
}

/**
 * Verifies `token` with the root key and authorizes paying an invoice, as a standard Biscuit
 * verifier does; returns `'allowed'` or the Biscuit error kind / thrown message.
 */
export function authorizeStandard(token: Uint8Array, rootPublicKey: Uint8Array): Promise<string> {
  return withBiscuit((api, scope) => {
    const root = scope.own(api.PublicKey.fromBytes(rootPublicKey, 0));
    const biscuit = scope.own(api.Biscuit.fromBytes(token, root));
    const authorizer = scope.own(new api.AuthorizerBuilder());
    authorizer.addCode(
      'time(2030-01-01T00:00:00Z); operation("pay"); allow if user($u), right("invoices", "pay");',
    );
    scope.own(authorizer.buildAuthenticated(biscuit)).authorizeWithLimits({
      max_time_micro: 1_000_000,
    });
    return 'allowed';
  });
}
