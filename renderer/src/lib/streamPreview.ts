// Drafts stream as the model's raw output, which is usually JSON ({"answer": "…", "evidence": …},
// possibly in a ```json fence). While it streams, show the answer being written rather than the JSON
// around it; the parsed answer from the saved artifact replaces it when the run is done.

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '', '"': '"', '\\': '\\', '/': '/', b: '', f: '' };

/** The (possibly partial) "answer" string in streamed JSON; plain text is returned as it is. */
export function previewAnswer(raw: string): string {
  const m = /"answer"\s*:\s*"/.exec(raw);
  if (!m) {
    const t = raw.trimStart();
    return t.startsWith('{') || t.startsWith('```') ? '' : raw;
  }
  let out = '';
  for (let i = m.index + m[0].length; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"') break;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) break; // the escape is split across deltas
    if (next === 'u') {
      const hex = raw.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += ESCAPES[next] ?? next;
    i++;
  }
  return out;
}
