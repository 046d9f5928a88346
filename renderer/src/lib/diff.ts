// Word-level diff by longest common subsequence. Words are compared without their surrounding
// whitespace, so re-wrapping a paragraph is not a change; the output keeps the original spacing so
// the two sides render as written.

export type DiffOp = { type: 'equal' | 'delete' | 'insert'; text: string };

/** Above this many DP cells (≈ 2,000 × 2,000 words) the middle is reported as one replace. */
const MAX_CELLS = 4_000_000;

interface Token {
  word: string;
  text: string; // word plus the whitespace after it (and before it, for the first token)
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const re = /(\S+)(\s*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push({ word: m[1] ?? '', text: (out.length === 0 ? lead : '') + m[0] });
  }
  return out;
}

/** The edit script turning `a` into `b`, word by word, with adjacent ops of one type merged. */
export function diffWords(a: string, b: string): DiffOp[] {
  const x = tokenize(a);
  const y = tokenize(b);
  const ops: DiffOp[] = [];
  const push = (type: DiffOp['type'], text: string) => {
    if (!text) return;
    const last = ops[ops.length - 1];
    if (last && last.type === type) last.text += text;
    else ops.push({ type, text });
  };

  // Trim the common prefix and suffix: cheap, and most drafts share a lot.
  let start = 0;
  while (start < x.length && start < y.length && x[start]!.word === y[start]!.word) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1]!.word === y[endY - 1]!.word) {
    endX--;
    endY--;
  }
  for (let i = 0; i < start; i++) push('equal', x[i]!.text);

  const n = endX - start;
  const m = endY - start;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= MAX_CELLS) {
    // lcs[i][j] = LCS length of x[start+i..endX) and y[start+j..endY)
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] =
          x[start + i]!.word === y[start + j]!.word
            ? lcs[(i + 1) * w + j + 1]! + 1
            : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      const xi = x[start + i]!;
      const yj = y[start + j]!;
      if (xi.word === yj.word) {
        push('equal', xi.text);
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
        push('delete', xi.text);
        i++;
      } else {
        push('insert', yj.text);
        j++;
      }
    }
    for (; i < n; i++) push('delete', x[start + i]!.text);
    for (; j < m; j++) push('insert', y[start + j]!.text);
  } else {
    for (let i = start; i < endX; i++) push('delete', x[i]!.text);
    for (let j = start; j < endY; j++) push('insert', y[j]!.text);
  }

  for (let i = endX; i < x.length; i++) push('equal', x[i]!.text);
  return ops;
}

/** Counts of words kept, removed and added. */
export function diffStats(ops: DiffOp[]): { equal: number; delete: number; insert: number } {
  const s = { equal: 0, delete: 0, insert: 0 };
  for (const op of ops) s[op.type] += tokenize(op.text).length;
  return s;
}
