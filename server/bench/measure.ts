/** Latency samples → summary; all times in milliseconds. */
export interface Summary {
  readonly count: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

export function summarise(samples: readonly number[], wallMs: number): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, perSecond: (sorted.length / wallMs) * 1000, p50: at(0.5), p99: at(0.99) };
}

/** Runs `task(i)` for i < count with at most `concurrency` in flight; returns each task's latency and the wall time. */
export async function runConcurrent(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ samples: number[]; wallMs: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      await task(i);
      samples.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { samples, wallMs: performance.now() - started };
}

export function formatSummary(label: string, s: Summary): string {
  return `${label.padEnd(44)} ${s.perSecond.toFixed(1).padStart(9)}/s   p50 ${s.p50.toFixed(2).padStart(8)} ms   p99 ${s.p99.toFixed(2).padStart(8)} ms   n=${s.count}`;
}
