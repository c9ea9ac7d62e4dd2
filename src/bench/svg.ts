// Line charts as standalone SVG text, rendered in Node without a browser or canvas, for bench
// reports (Markdown links them, HTML inlines them). One chart: axes with "nice" ticks, one
// polyline per series (optionally a step line, for hyperparameters that hold until changed),
// an optional shaded band (a confidence interval), optional horizontal reference lines, and
// a legend. Linear or log y axis.

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Band drawn under the line (same length as x), e.g. a 95% confidence interval. */
  lower?: readonly number[];
  upper?: readonly number[];
  color?: string;
  /** Hold each value until the next x (hyperparameter trajectories). */
  step?: boolean;
  /** Thin line without a legend entry of its own (individual seeds). */
  thin?: boolean;
  /** Omit from the legend (e.g. extra seeds of a series already listed). */
  hideInLegend?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Horizontal reference lines (a solved threshold, a random policy). */
  hlines?: readonly { y: number; label: string }[];
  logY?: boolean;
  /** Right end of the x axis when the data stop short of it (a trajectory's last change before the budget). */
  xMax?: number;
  width?: number;
  height?: number;
}

/** Colour-blind-safe palette (Okabe & Ito 2008), in a stable order. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  if (lo > hi) [lo, hi] = [hi, lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/** Powers of ten covering [lo, hi] (both > 0), for log axes. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) out.push(Number(`1e${k}`)); // exact, unlike 10 ** -5
  return out;
}

/** Short tick labels: 100000 → 100k, 0.0003 → 3e-4. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a < 1e-2) {
    const [m, e] = v.toExponential(1).split('e');
    return `${Number(m)}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(3)));
}

const f = (n: number): string => (Math.round(n * 10) / 10).toString();

export function lineChart(o: ChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 360;
  const legendRows = o.series.filter((s) => !s.hideInLegend).length;
  const m = { left: 64, right: 16 + (legendRows > 0 ? 150 : 0), top: 32, bottom: 44 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;

  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of o.series) {
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (!Number.isFinite(x) || y === undefined || !Number.isFinite(y) || (o.logY && y <= 0)) return;
      xs.push(x);
      ys.push(y);
      for (const b of [s.lower?.[i], s.upper?.[i]]) if (b !== undefined && Number.isFinite(b) && !(o.logY && b <= 0)) ys.push(b);
    });
  }
  for (const h of o.hlines ?? []) if (Number.isFinite(h.y) && !(o.logY && h.y <= 0)) ys.push(h.y);
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = Math.max(xs.length ? Math.max(...xs) : 1, o.xMax ?? -Infinity);
  let y0 = ys.length ? Math.min(...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (x0 === x1) x1 = x0 + 1;
  if (x0 > 0 && x0 < 0.1 * x1) x0 = 0; // step axes start at 0
  if (y0 === y1) {
    const d = o.logY ? y0 : Math.abs(y0) || 1;
    y0 -= o.logY ? d / 2 : d / 10;
    y1 += o.logY ? d : d / 10;
  }
  const ty = (v: number): number => (o.logY ? Math.log10(v) : v);
  const Y0 = ty(y0);
  const Y1 = ty(y1);
  const pad = (Y1 - Y0) * 0.04;
  const yLo = Y0 - pad;
  const yHi = Y1 + pad;
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number): number => m.top + ph - ((ty(y) - yLo) / (yHi - yLo)) * ph;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(o.title)}">`,
  );
  parts.push(`<title>${escapeXml(o.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(o.title)}</text>`);

  // grid and ticks
  const yTicks = (o.logY ? logTicks(y0, y1) : niceTicks(y0, y1)).filter((v) => ty(v) >= yLo - 1e-12 && ty(v) <= yHi + 1e-12);
  parts.push('<g class="axes" stroke="#dddddd" stroke-width="1">');
  for (const v of yTicks) parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${f(sy(v))}" y2="${f(sy(v))}"/>`);
  parts.push('</g>');
  parts.push('<g class="ticks" fill="#333333">');
  for (const v of yTicks) parts.push(`<text x="${m.left - 6}" y="${f(sy(v) + 4)}" text-anchor="end">${escapeXml(formatTick(v))}</text>`);
  for (const v of niceTicks(x0, x1)) parts.push(`<text x="${f(sx(v))}" y="${m.top + ph + 16}" text-anchor="middle">${escapeXml(formatTick(v))}</text>`);
  parts.push('</g>');
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888888"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);

  // reference lines
  for (const h of o.hlines ?? []) {
    if (!Number.isFinite(h.y) || (o.logY && h.y <= 0)) continue;
    parts.push(`<line class="hline" x1="${m.left}" x2="${m.left + pw}" y1="${f(sy(h.y))}" y2="${f(sy(h.y))}" stroke="#999999" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${m.left + pw - 4}" y="${f(sy(h.y) - 4)}" text-anchor="end" fill="#666666">${escapeXml(h.label)}</text>`);
  }

  // series: bands first, then lines on top
  const color = (s: Series, i: number): string => s.color ?? PALETTE[i % PALETTE.length]!;
  o.series.forEach((s, i) => {
    if (!s.lower || !s.upper) return;
    const up: string[] = [];
    const down: string[] = [];
    s.x.forEach((x, k) => {
      const lo = s.lower![k];
      const hi = s.upper![k];
      if (lo === undefined || hi === undefined || !Number.isFinite(lo) || !Number.isFinite(hi) || (o.logY && lo <= 0)) return;
      up.push(`${f(sx(x))},${f(sy(hi))}`);
      down.unshift(`${f(sx(x))},${f(sy(lo))}`);
    });
    if (up.length > 1) parts.push(`<polygon class="band" points="${[...up, ...down].join(' ')}" fill="${color(s, i)}" fill-opacity="0.18" stroke="none"/>`);
  });
  o.series.forEach((s, i) => {
    const pts: string[] = [];
    let prevY: number | undefined;
    s.x.forEach((x, k) => {
      const y = s.y[k];
      if (y === undefined || !Number.isFinite(y) || (o.logY && y <= 0)) return;
      if (s.step && prevY !== undefined) pts.push(`${f(sx(x))},${f(sy(prevY))}`);
      pts.push(`${f(sx(x))},${f(sy(y))}`);
      prevY = y;
    });
    if (s.step && prevY !== undefined && pts.length > 0) pts.push(`${f(sx(x1))},${f(sy(prevY))}`);
    if (pts.length === 0) return;
    parts.push(
      `<polyline class="series" data-name="${escapeXml(s.name)}" points="${pts.join(' ')}" fill="none" stroke="${color(s, i)}" stroke-width="${s.thin ? 1 : 2}" stroke-opacity="${s.thin ? 0.6 : 1}"/>`,
    );
  });

  // legend
  let row = 0;
  o.series.forEach((s, i) => {
    if (s.hideInLegend) return;
    const y = m.top + 8 + row * 16;
    const x = width - m.right + 12;
    parts.push(`<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${color(s, i)}" stroke-width="3"/>`);
    parts.push(`<text class="legend" x="${x + 24}" y="${y + 4}">${escapeXml(s.name)}</text>`);
    row++;
  });
  parts.push('</svg>');
  return parts.join('\n');
}
