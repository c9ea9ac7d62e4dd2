// Number formatting for small panels: short, and exact enough to tell versions apart.

import type { HyperparamValue } from '../src/shared/hyperparams';

// One formatter for all: `toLocaleString` builds a new one per call, which a live panel feels.
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return INTEGER.format(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return n.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(n.toPrecision(4)));
}

export function formatValue(v: HyperparamValue): string {
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

/** "×0.33" or "+0.05": how a proposal moves a number, for the card. */
export function formatChange(from: HyperparamValue, to: HyperparamValue): string {
  if (typeof from !== 'number' || typeof to !== 'number') return '';
  if (from !== 0 && to !== 0 && Math.sign(from) === Math.sign(to)) {
    const r = to / from;
    if (r >= 1.01 || r <= 0.99) return `×${Number(r.toPrecision(2))}`;
  }
  const d = to - from;
  return d === 0 ? '' : `${d > 0 ? '+' : ''}${formatNumber(d)}`;
}
