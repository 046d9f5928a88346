// A Bloom filter of the 3-character substrings (trigrams) of a segment's task texts, stored beside the
// segment (.history/seg/<ulid>.grams, immutable). A text search with a needle of 3+ characters reads
// only the segments whose filter holds every trigram of the needle: a substring of a text has all its
// trigrams there, so no match is ever missed; about 1% of the other segments are read for nothing.
// Shorter needles read every segment that the other filters leave.

const HASHES = 4;
const BITS_PER_GRAM = 12;
const MIN_BYTES = 64;
const MAX_BYTES = 1 << 20;

function hashes(gram: string, bits: number, out: number[]): void {
  // Two FNV-1a variants combined (Kirsch–Mitzenmacher double hashing).
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < gram.length; i++) {
    const c = gram.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  h2 |= 1;
  for (let k = 0; k < HASHES; k++) out[k] = ((h1 + Math.imul(k, h2)) >>> 0) % bits;
}

export function trigramsOf(text: string, into: Set<string>): void {
  for (let i = 0; i + 3 <= text.length; i++) into.add(text.slice(i, i + 3));
}

/** The filter for these (lowercased) texts. */
export function buildGrams(texts: Iterable<string>): Uint8Array {
  const grams = new Set<string>();
  for (const t of texts) trigramsOf(t, grams);
  let bytes = MIN_BYTES;
  while (bytes * 8 < grams.size * BITS_PER_GRAM && bytes < MAX_BYTES) bytes *= 2;
  const out = new Uint8Array(bytes);
  const bits = bytes * 8;
  const h: number[] = [];
  for (const g of grams) {
    hashes(g, bits, h);
    for (const b of h) out[b >>> 3] = (out[b >>> 3] ?? 0) | (1 << (b & 7));
  }
  return out;
}

/** False only when the needle cannot be in any text of the filter's segment. */
export function mayContain(filter: Uint8Array, needle: string): boolean {
  if (needle.length < 3 || filter.length === 0) return true;
  const bits = filter.length * 8;
  const h: number[] = [];
  const seen = new Set<string>();
  trigramsOf(needle, seen);
  for (const g of seen) {
    hashes(g, bits, h);
    for (const b of h) if (!((filter[b >>> 3] ?? 0) & (1 << (b & 7)))) return false;
  }
  return true;
}
