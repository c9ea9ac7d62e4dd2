// "Open Bench Report", the part without VS Code: what a bench output folder holds (suite, number
// of results, date), whether its report.html is older than its newest result (then the bench's
// own report code writes it again, in-process: src/bench/report.ts is plain Node and does not
// load TensorFlow.js), and the report's HTML made fit for a webview (our CSP, no scripts, relative
// image links as webview URIs).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeReport } from '../bench/report';
import { readResults } from '../bench/results';
import { isRecord } from '../shared/guards';

export interface BenchFolder {
  dir: string;
  /** The suite name from bench.json, else the folder name. */
  suite: string;
  results: number;
  /** Time of the newest result (bench.json's when there is none yet), ms since the epoch. */
  newest: number;
  /** report.html is missing or older than the newest result. */
  stale: boolean;
}

/** A bench output folder from its bench.json; undefined when bench.json is not a bench plan. */
export function describeBenchFolder(benchJson: string): BenchFolder | undefined {
  let plan: unknown;
  try {
    plan = JSON.parse(readFileSync(benchJson, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(plan) || !Array.isArray(plan.jobs)) return undefined;
  const dir = dirname(benchJson);
  const suiteField = plan.suite;
  const suite = typeof suiteField === 'string' ? suiteField : isRecord(suiteField) && typeof suiteField.name === 'string' ? suiteField.name : basename(dir);
  let names: string[] = [];
  try {
    names = readdirSync(join(dir, 'results')).filter((n) => n.endsWith('.json'));
  } catch {
    // no results yet
  }
  let newest = statSync(benchJson).mtimeMs;
  if (names.length) newest = Math.max(...names.map((n) => statSync(join(dir, 'results', n)).mtimeMs));
  const report = join(dir, 'report.html');
  const stale = !existsSync(report) || statSync(report).mtimeMs < newest;
  return { dir, suite, results: names.length, newest, stale };
}

/** Writes the report when it is missing or stale; returns report.html's path. */
export function ensureReport(f: BenchFolder, log: (line: string) => void = () => {}): string {
  const html = join(f.dir, 'report.html');
  if (!f.stale) return html;
  const { results, problems } = readResults(f.dir);
  for (const p of problems) log(`bench report ${f.dir}: skipped ${p}`);
  if (results.length === 0) throw new Error(`the bench folder ${f.dir} has no readable results yet: let "hyperprompt bench" finish at least one job, then open the report again`);
  writeReport(f.dir, results, { command: `HyperPrompt: Open Bench Report (${f.dir})` });
  return html;
}

/**
 * The report page for a webview: its CSP replaced by ours (nothing but inline styles and images
 * from the bench folder), any script removed, and relative `src`/`href` links of images turned
 * into webview URIs by `toWebviewUri` (given a path relative to the bench folder). The shipped
 * report inlines its SVGs, so usually only the CSP changes.
 */
export function reportForWebview(html: string, cspSource: string, toWebviewUri: (relativePath: string) => string): string {
  const csp = `default-src 'none'; img-src ${cspSource} data:; style-src 'unsafe-inline'`;
  let out = html.replace(/<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>/gi, '');
  out = out.replace(/<script\b[\s\S]*?<\/script\s*>/gi, '').replace(/<script\b[^>]*>/gi, '');
  // Inline event handlers cannot run under this CSP; drop them anyway so the page holds no code.
  out = out.replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi, ''));
  out = out.replace(/(<(?:img|image|source)\b[^>]*?\s(?:src|href|xlink:href)\s*=\s*)(["'])([^"']+)\2/gi, (m, head: string, q: string, url: string) =>
    /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(url) || url.startsWith('/') ? m : `${head}${q}${toWebviewUri(url)}${q}`,
  );
  const meta = `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
  return /<head[^>]*>/i.test(out) ? out.replace(/<head[^>]*>/i, (h) => `${h}\n${meta}`) : `${meta}\n${out}`;
}

export function describeDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
