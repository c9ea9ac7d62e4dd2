// Which chart a metric goes to. Keys are CleanRL-style (`charts/episodic_return`,
// `losses/value_loss`, ...); trainers may add their own, which land in "other".

export type ChartGroup = 'return' | 'losses' | 'entropy' | 'other';

export const CHART_GROUPS: readonly { id: ChartGroup; title: string }[] = [
  { id: 'return', title: 'Return' },
  { id: 'losses', title: 'Losses' },
  { id: 'entropy', title: 'Entropy / KL' },
  { id: 'other', title: 'Other diagnostics' },
];

const ENTROPY_KEYS = new Set(['losses/entropy', 'losses/approx_kl', 'losses/old_approx_kl', 'losses/clipfrac', 'losses/alpha']);

export function groupOf(key: string): ChartGroup {
  if (key === 'charts/episodic_return' || key === 'charts/return' || key === 'charts/mean_return') return 'return';
  if (ENTROPY_KEYS.has(key)) return 'entropy';
  if (key.startsWith('losses/') && key.endsWith('_loss')) return 'losses';
  return 'other';
}

/** Legend text: the part after the namespace, underscores as spaces. */
export function labelOf(key: string): string {
  const last = key.includes('/') ? key.slice(key.lastIndexOf('/') + 1) : key;
  return last.replace(/_/g, ' ');
}
