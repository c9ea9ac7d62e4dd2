// Text-level damage to a valid JSON line: what a crashing, buggy or hostile peer really
// prints (cut-off writes, Python's NaN and True, BOMs, duplicate keys, runaway nesting).

import type { Dice } from './random';
import { nastyString } from './values';

export function damageText(d: Dice, text: string): { text: string; kind: string } {
  switch (d.int(13)) {
    case 0:
      return { text: text.slice(0, d.int(text.length)), kind: 'text:truncated' };
    case 1: {
      const at = d.int(text.length + 1);
      return { text: text.slice(0, at) + nastyString(d) + text.slice(at), kind: 'text:inserted' };
    }
    case 2: {
      const at = d.int(Math.max(1, text.length));
      return { text: text.slice(0, at) + d.pick(['{', '}', '[', ']', ',', ':', '"', '\\', '\u0000', '\u001b', '\ud800', "'"]) + text.slice(at + 1), kind: 'text:byte' };
    }
    case 3:
      return { text: '\ufeff' + text, kind: 'text:bom' };
    case 4:
      return { text: text + d.pick([' x', '}', ']', '\u0000', ',{}', '{"type":"done","step":1}', '\r', ' // comment']), kind: 'text:trailing' };
    case 5:
      return { text: text.replace(/-?\d+(\.\d+)?(e-?\d+)?/, d.pick(['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '-0', '0x10', '.5', '01', '+1', '1_000', '1e400'])), kind: 'text:number' };
    case 6:
      return { text: text.replace(/^\{/, d.pick(['{"type":"error",', '{"__proto__":{"polluted":1},', '{"constructor":{"prototype":{"polluted":1}},'])), kind: 'text:keys' };
    case 7: {
      const n = d.pick([1000, 10_000, 100_000]);
      return { text: d.chance(0.5) ? '['.repeat(n) : `${'['.repeat(n)}${']'.repeat(n)}`, kind: 'text:nesting' };
    }
    case 8:
      return { text: ' '.repeat(d.size(100_000)) + text + '\t'.repeat(d.size(100)), kind: 'text:whitespace' };
    case 9:
      return { text: text.replace(/true/g, 'True').replace(/false/g, 'False').replace(/null/g, 'None').replace(/"/g, "'"), kind: 'text:python' };
    case 10:
      return { text: nastyString(d), kind: 'text:garbage' };
    case 11:
      return { text: d.pick(['', ' ', 'null', '[]', '{}', '""', '0', 'true', '"{}"', 'undefined']), kind: 'text:tiny' };
    default:
      return { text: '```json\n' + text + '\n```', kind: 'text:fenced' };
  }
}
