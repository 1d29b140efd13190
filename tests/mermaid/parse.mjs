// Parse each Mermaid diagram given on stdin (a JSON list of strings) with Mermaid's own
// parser and print one JSON result per diagram:
//   {"ok": true, "type": "flowchart-v2", "nodes": [[id, label], ...], "edges": [[from, to, label], ...]}
//   {"ok": false, "error": "..."}
// Mermaid's flowchart database sanitises labels with DOMPurify, which needs a DOM: linkedom
// provides one (no browser, no network). Labels are as the database keeps them (entity codes
// such as #quot; are decoded only when Mermaid draws).
import { parseHTML } from 'linkedom';

const dom = parseHTML('<!DOCTYPE html><html><body></body></html>');
globalThis.window = dom;
globalThis.document = dom.document;

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    const result = { ok: true, type: parsed.diagramType };
    if (parsed.diagramType.startsWith('flowchart')) {
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
      result.nodes = [...diagram.db.getVertices().values()].map((n) => [n.id, n.text]);
      result.edges = diagram.db.getEdges().map((e) => [e.start, e.end, e.text]);
    }
    results.push(result);
  } catch (error) {
    results.push({ ok: false, error: String(error.message || error).split('\n').slice(0, 3).join(' ') });
  }
}
process.stdout.write(JSON.stringify(results) + '\n');
