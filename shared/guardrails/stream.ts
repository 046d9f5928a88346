// Redaction of streamed text (draft deltas). Redacting each fragment alone lets a secret split across
// two fragments through (and a reader concatenates fragments). This redacts the whole text received
// so far and releases only the part that can no longer change: everything but the last `hold`
// characters. flush() releases the rest when the stream ends.
//
// Every pattern in redaction.ts is recognised within its first ~60 characters (a key prefix, an
// e-mail, a card number, a PEM header — which then swallows everything after it until its footer),
// so a hold of 256 keeps any secret's start from being released before it is recognised.
export const DEFAULT_HOLD = 256;

export interface StreamRedactor {
  /** Adds a fragment; returns the redacted text that is now safe to release (may be ''). */
  push(fragment: string): string;
  /** Releases whatever is still held. */
  flush(): string;
}

export function createStreamRedactor(redact: (text: string) => string, hold = DEFAULT_HOLD): StreamRedactor {
  let raw = '';
  let released = 0; // characters of the redacted text already released
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
      return take(false);
    },
    flush: () => take(true),
  };
}
