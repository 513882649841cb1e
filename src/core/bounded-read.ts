/** Reading an untrusted stream without letting its sender choose how much memory it costs. */

/**
 * Read a Web stream to the end, at most `maxBytes`. A larger stream is cancelled and
 * `tooLarge()` is thrown, so the caller names the error in its own terms.
 */
export async function readBounded(
  stream: ReadableStream<Uint8Array> | null | undefined,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const reader = stream?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
