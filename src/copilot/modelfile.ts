// Reads an Ollama Modelfile (FROM, SYSTEM, PARAMETER, MESSAGE, ADAPTER, TEMPLATE, LICENSE;
// values may be """triple-quoted""" across lines) into the fields of Ollama's create API,
// which takes them as JSON rather than as Modelfile text.

import { type Check, fail, ok } from '../shared/guards';

export interface Modelfile {
  from: string;
  system?: string;
  template?: string;
  license?: string[];
  /** PARAMETER lines; repeated names (e.g. `stop`) collect into arrays. */
  parameters: Record<string, number | string | (number | string)[]>;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  /** ADAPTER path as written (relative to the Modelfile's folder). */
  adapter?: string;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"') && !t.startsWith('"""')) return t.slice(1, -1);
  return t;
}

function scalar(v: string): number | string {
  const t = unquote(v);
  const n = Number(t);
  return t !== '' && Number.isFinite(n) && /^[-+0-9.eE]+$/.test(t) ? n : t;
}

export function parseModelfile(text: string): Check<Modelfile> {
  const out: Modelfile = { from: '', parameters: {}, messages: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^([A-Za-z]+)\s+([\s\S]*)$/.exec(trimmed);
    if (!m) return fail(`Modelfile line ${i + 1}: expected "INSTRUCTION value", got "${trimmed}"`);
    const instr = m[1]!.toUpperCase();
    let rest = m[2]!;
    // A value may open with """ and run to the line that closes it.
    const tq = rest.indexOf('"""');
    if (tq >= 0) {
      const after = rest.slice(tq + 3);
      const close = after.indexOf('"""');
      if (close >= 0) rest = rest.slice(0, tq) + after.slice(0, close);
      else {
        const parts = [after];
        let j = i + 1;
        for (; j < lines.length; j++) {
          const c = lines[j]!.indexOf('"""');
          if (c >= 0) {
            parts.push(lines[j]!.slice(0, c));
            break;
          }
          parts.push(lines[j]!);
        }
        if (j >= lines.length) return fail(`Modelfile line ${i + 1}: """ is never closed`);
        rest = rest.slice(0, tq) + parts.join('\n');
        i = j;
      }
    }
    switch (instr) {
      case 'FROM':
        out.from = unquote(rest);
        break;
      case 'SYSTEM':
        out.system = tq >= 0 ? rest.trim() : unquote(rest);
        break;
      case 'TEMPLATE':
        out.template = tq >= 0 ? rest : unquote(rest);
        break;
      case 'LICENSE':
        (out.license ??= []).push(rest.trim());
        break;
      case 'ADAPTER':
        out.adapter = unquote(rest);
        break;
      case 'PARAMETER': {
        const pm = /^(\S+)\s+([\s\S]+)$/.exec(rest.trim());
        if (!pm) return fail(`Modelfile line ${i + 1}: PARAMETER needs a name and a value`);
        const [name, value] = [pm[1]!, scalar(pm[2]!)];
        const prev = out.parameters[name];
        out.parameters[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
        break;
      }
      case 'MESSAGE': {
        const mm = /^(system|user|assistant)\s+([\s\S]*)$/.exec(rest.trimStart());
        if (!mm) return fail(`Modelfile line ${i + 1}: MESSAGE needs a role (system, user or assistant) and content`);
        out.messages.push({ role: mm[1] as 'system' | 'user' | 'assistant', content: tq >= 0 ? mm[2]!.trim() : unquote(mm[2]!) });
        break;
      }
      default:
        return fail(`Modelfile line ${i + 1}: unknown instruction ${instr} (known: FROM, SYSTEM, PARAMETER, MESSAGE, ADAPTER, TEMPLATE, LICENSE)`);
    }
  }
  if (!out.from) return fail('the Modelfile has no FROM line');
  // Ollama's `stop` parameter is always a list.
  if (out.parameters.stop !== undefined && !Array.isArray(out.parameters.stop)) out.parameters.stop = [out.parameters.stop];
  return ok(out);
}
