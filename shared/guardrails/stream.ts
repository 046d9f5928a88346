// Redaction of streamed text (draft deltas). Redacting each fragment alone lets a secret split across
// two fragments through (and a reader concatenates fragments). This redacts the text received so far
// and releases only the part that can no longer change: everything but the last `hold` characters.
// flush() releases the rest when the stream ends.
//
// Every pattern in redaction.ts is recognised within its first ~60 characters (a key prefix, an
// e-mail, a card number, a PEM header — which then swallows everything after it until its footer),
// so a hold of 256 keeps any secret's start from being released before it is recognised.
//
// Work stays linear in the stream length: once the unreleased buffer grows past 4 × hold, its head
// is cut off at a whitespace at least `hold` characters from the end — only where redacting the
// head and the rest separately gives the same text as redacting them together (no match spans the
// cut) — and released for good.
export const DEFAULT_HOLD = 256;

export interface StreamRedactor {
  /** Adds a fragment; returns the redacted text that is now safe to release (may be ''). */
  push(fragment: string): string;
  /** Releases whatever is still held. */
  flush(): string;
}

export function createStreamRedactor(redact: (text: string) => string, hold = DEFAULT_HOLD): StreamRedactor {
  let raw = ''; // not yet settled raw text
  let released = 0; // characters of redact(raw) already released

  const compact = (): string => {
    if (raw.length <= 4 * hold) return '';
    const limit = raw.length - hold;
    const cut = Math.max(raw.lastIndexOf(' ', limit), raw.lastIndexOf('\n', limit));
    if (cut <= 0) return '';
    const head = redact(raw.slice(0, cut));
    const rest = raw.slice(cut);
    if (redact(raw) !== head + redact(rest)) return ''; // a match spans the cut: try again later
    const out = released < head.length ? head.slice(released) : '';
    released = Math.max(0, released - head.length);
    raw = rest;
    return out;
  };

  const take = (final: boolean): string => {
    const full = redact(raw);
    const until = final ? full.length : Math.max(0, full.length - hold);
    if (until <= released) return '';
    const out = full.slice(released, until);
    released = until;
    return out;
  };

  return {
    push(fragment) {
      raw += fragment;
      const head = compact();
      return head + take(false);
    },
    flush: () => take(true),
  };
}
