// Export a run's metrics as CSV (one column per metric, a row per step) or JSON lines,
// streamed: a long run is never held in memory.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { streamMetrics } from '../runs/metrics-reader';
import type { RunStore } from '../runs/store';

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function exportMetrics(store: RunStore, id: string, format: 'csv' | 'jsonl', outPath: string): Promise<{ rows: number; columns: string[] }> {
  const columns = new Set<string>();
  if (format === 'csv') await streamMetrics(store, id, (p) => Object.keys(p.scalars).forEach((k) => columns.add(k)));
  const cols = [...columns].sort();
  const out = createWriteStream(outPath, { encoding: 'utf8' });
  let rows = 0;
  let buffer: string[] = [];
  const drain = async (): Promise<void> => {
    if (!buffer.length) return;
    const ok = out.write(buffer.join(''));
    buffer = [];
    if (!ok) await once(out, 'drain');
  };
  if (format === 'csv') buffer.push(`${['step', ...cols].map(csvCell).join(',')}\n`);
  const pending: Promise<void>[] = [];
  await streamMetrics(store, id, (p) => {
    rows++;
    buffer.push(format === 'csv' ? `${[p.step, ...cols.map((c) => (p.scalars[c] === undefined ? '' : String(p.scalars[c])))].join(',')}\n` : `${JSON.stringify({ step: p.step, ...p.scalars })}\n`);
    if (buffer.length >= 1000) pending.push(drain());
  });
  await Promise.all(pending);
  await drain();
  out.end();
  await once(out, 'finish');
  return { rows, columns: cols };
}
