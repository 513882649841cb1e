/** The soak's report: Markdown tables a reader can paste into docs/performance.md. */
import { THRESHOLDS } from './growth.js';
import type { PhaseResult } from './phase.js';

const MiB = 1024 * 1024;

/** `bytes` in MiB, one decimal. */
export function mib(bytes: number, signed = false): string {
  const text = `${(bytes / MiB).toFixed(1)} MiB`;
  return signed && bytes >= 0 ? `+${text}` : text;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)} KiB`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** One phase as text: throughput, decisions, memory verdict, caches. */
export function formatPhase(phase: PhaseResult): string {
  const lines: string[] = [];
  const first = phase.intervals[0];
  const last = phase.intervals.at(-1);
  lines.push(
    `### ${phase.name}: ${count(phase.count)} verifications (${phase.target}, ${phase.concurrency} in flight)`,
    '',
    `${count(Math.round(phase.perSecond))} verifications/s over ${phase.seconds.toFixed(1)} s of verifying; ` +
      `median latency ${phase.medianMicros.toFixed(0)} µs (median of the intervals' medians); ` +
      `first interval ${count(Math.round(first?.perSecond ?? 0))}/s, last ${count(Math.round(last?.perSecond ?? 0))}/s.`,
    '',
    `Decisions: ${Object.entries(phase.kinds)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, t]) => `${kind} ${count(t.allowed + t.denied)}`)
      .join(', ')}; ${count(phase.mismatches)} not as expected.`,
    '',
    `Memory after a forced GC, judged after warm-up (${count(phase.warmup)} verifications):`,
    '',
    '| metric | at start | after warm-up (median, first quarter) | end (median, last quarter) | change | slope per 1k verifications | grows when | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  );
  const start = phase.samples[0];
  for (const m of phase.growth.metrics) {
    const t = THRESHOLDS[m.metric];
    const verdict = !m.judged ? 'too few samples' : m.grew ? '**GROWS**' : 'flat';
    lines.push(
      `| ${m.metric} | ${mib(start?.[m.metric] ?? 0)} | ${mib(m.firstQuarterMedian)} | ${mib(m.lastQuarterMedian)} | ${mib(m.delta, true)} | ${kib(m.slopePer1k)} | > ${mib(t.deltaBytes)} and > ${kib(t.slopePer1k)} | ${verdict} |`,
    );
  }
  lines.push(
    '',
    '| bounded cache or store | bound | at end | peak | at its bound from |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const c of phase.caches) {
    lines.push(
      `| ${c.name} | ${count(c.capacity)} | ${count(c.size)} | ${count(c.peak)} | ${c.filledAt === undefined ? 'never' : count(c.filledAt)} |`,
    );
  }
  if (phase.mismatchExamples.length > 0) {
    lines.push('', 'Not as expected (first few):');
    for (const m of phase.mismatchExamples) lines.push(`- ${JSON.stringify(m)}`);
  }
  return lines.join('\n');
}
