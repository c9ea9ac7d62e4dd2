// Test helper: parses SVG/XML with a real XML parser (Python's standard library) so the
// tests check well-formedness, not just substrings.
import { execFileSync } from 'node:child_process';

/** Parses SVG/XML with Python's standard library (a real XML parser) and returns element tag counts. */
export function xmlTagCounts(xml: string): Record<string, number> {
  const script = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
counts = {}
for el in root.iter():
    tag = el.tag.split('}')[-1]
    cls = el.get('class')
    key = tag + ('.' + cls if cls else '')
    counts[key] = counts.get(key, 0) + 1
print(json.dumps(counts))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: xml, encoding: 'utf8' })) as Record<string, number>;
}
