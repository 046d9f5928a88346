// A small BM25 (Okapi) index over corpus passages.
export interface Bm25Doc {
  id: string;
  text: string;
}

export interface Bm25Hit<D extends Bm25Doc> {
  doc: D;
  score: number;
}

const STOPWORDS = new Set(
  'a an and are as at be but by for from has have in into is it its of on or that the their there these this to was were what when where which who why will with how does do did not no can'.split(
    ' ',
  ),
);

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => !STOPWORDS.has(t));
}

export class Bm25Index<D extends Bm25Doc> {
  private readonly tf: Array<Map<string, number>>;
  private readonly len: number[];
  private readonly df = new Map<string, number>();
  private readonly avgLen: number;

  constructor(
    private readonly docs: readonly D[],
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    this.tf = docs.map((d) => {
      const m = new Map<string, number>();
      for (const t of tokenize(d.text)) m.set(t, (m.get(t) ?? 0) + 1);
      for (const t of m.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      return m;
    });
    this.len = this.tf.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
    this.avgLen = this.len.reduce((a, b) => a + b, 0) / Math.max(1, docs.length);
  }

  /** The k best documents for the query, best first; documents sharing no term are left out. */
  search(query: string, k: number): Array<Bm25Hit<D>> {
    const terms = [...new Set(tokenize(query))];
    const n = this.docs.length;
    const hits: Array<Bm25Hit<D>> = [];
    this.docs.forEach((doc, i) => {
      const tf = this.tf[i]!;
      const dl = this.len[i]!;
      let score = 0;
      for (const t of terms) {
        const f = tf.get(t);
        if (!f) continue;
        const df = this.df.get(t) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * dl) / (this.avgLen || 1)));
      }
      if (score > 0) hits.push({ doc, score });
    });
    return hits.sort((a, b) => b.score - a.score || a.doc.id.localeCompare(b.doc.id)).slice(0, k);
  }
}
