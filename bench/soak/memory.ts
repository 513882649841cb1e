/** Memory readings after a forced full GC (node --expose-gc). */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MemorySample } from './growth.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Whether the process can force a GC; without it, readings include garbage and mean little. */
export const CAN_COLLECT = typeof gc === 'function';

/**
 * Process memory `at` verifications into a phase, after a full GC. Two turns of the event loop
 * first, so what the last requests left (sockets' buffers, settled promises) is garbage by then.
 */
export async function sampleMemory(at: number): Promise<MemorySample> {
  for (let i = 0; i < 2; i++) {
    await nextTurn();
    gc?.();
  }
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { at, rss, heapUsed, external, arrayBuffers, heapTotal };
}
