// Redaction of streamed text (draft deltas). Redacting each fragment alone lets a secret split across
// two fragments through (and a reader concatenates fragments). This redacts the text received so far
// and releases at once everything that can no longer change, holding back only the tail that could
// still become (or extend, or stop being) a match of one of the rules. flush() releases the rest when
// the stream ends. The released text is always a prefix of redacting the whole stream.
//
// What "could still change" means, per kind of rule (shared/guardrails/redaction.ts):
// - rules whose matches never contain whitespace (keys, JWTs, e-mails, URL key parameters, AWS access
//   keys, and custom rules whose pattern cannot match whitespace): the trailing run of non-whitespace
//   — the word being written. A finished word is followed by whitespace, which no such match spans;
// - digit runs (card numbers, SSNs, phone numbers, IPv4): the trailing run of digits and the
//   separators they allow (space, -, ., parentheses, +), from its first digit, + or (;
// - a PEM private key: from an unterminated BEGIN … PRIVATE KEY header (or a header being written)
//   until its END footer has arrived;
// - `secret_key = …` and `Bearer …`: from the key name / "Bearer" while its value may still grow;
// - custom rules that can match whitespace (or use ^ / $), and unknown rules: the last `hold`
//   characters, as a bounded hold-back.
// The cut is checked: the text before it must redact the same alone as inside the whole (no match
// spans it); if not, nothing more is released until it does.
//
// Work stays linear in the stream length: the settled head is dropped at a whitespace boundary once
// it has been released (again only where redacting the head and the rest separately gives the same
// text as redacting them together), so each push redacts a short window.
import type { RedactionRule } from './redaction.js';

/** Bounded hold-back for rules whose matches cannot be analysed (see above). */
export const DEFAULT_HOLD = 256;

export interface StreamRedactor {
  /** Adds a fragment; returns the redacted text that is now safe to release (may be ''). */
  push(fragment: string): string;
  /** Releases whatever is still held. */
  flush(): string;
}

export interface StreamRedactorOptions {
  /**
   * The rules `redact` applies. Known rules are held back only as far as they could still match;
   * absent (null/undefined): the rules are unknown and the last `hold` characters are held back.
   */
  rules?: readonly RedactionRule[] | null;
  /** Hold-back for rules that cannot be analysed (default 256). */
  hold?: number;
}

const isSpace = (ch: string): boolean => /\s/.test(ch);

/** Start of the trailing run of non-whitespace (text.length when the text ends in whitespace). */
function wordTail(text: string): number {
  let i = text.length;
  while (i > 0 && !isSpace(text[i - 1]!)) i--;
  return i;
}

/** Start of a trailing digit run (digits with the separators cards/phones/SSNs/IPv4 allow). */
function digitTail(text: string): number {
  const inRun = (ch: string) => /[\d\s().+-]/.test(ch);
  let i = text.length;
  while (i > 0 && inRun(text[i - 1]!)) i--;
  while (i < text.length && !/[\d+(]/.test(text[i]!)) i++;
  return i;
}

const PEM_PARTIAL_HEADER = /-----BEGIN[A-Z0-9 ]*-{0,4}$/;
function pemTail(rule: RedactionRule): (text: string) => number {
  const re = new RegExp(rule.pattern.source, rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`);
  return (text) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m.index + m[0].length === text.length) return m.index; // runs to the end: its footer has not come yet
      if (m[0] === '') re.lastIndex++;
    }
    const partial = PEM_PARTIAL_HEADER.exec(text);
    return partial ? partial.index : text.length;
  };
}

function suffixTail(re: RegExp): (text: string) => number {
  return (text) => {
    const m = re.exec(text);
    return m ? m.index : text.length;
  };
}

// A key name with its separator and a value that may still grow (a whitespace-free name being
// written is the word tail).
const AWS_SECRET_TAIL = /(?:aws_?)?secret_?(?:access_?)?key(?:_id)?["']?\s*(?:[:=]\s*["']?[A-Za-z0-9/+=]*)?$/i;
const BEARER_TAIL = /\bBearer\s+[A-Za-z0-9._~+/-]*=*$/;

/**
 * True when a custom pattern's matches can contain no whitespace and do not depend on the start or
 * end of the text — checked conservatively on its source: any construct that could match a space
 * (a space, ., \s, \W, \D, [^…], \p, escapes by code, non-ASCII) or an anchor makes it false.
 */
export function matchesNoWhitespace(pattern: RegExp): boolean {
  const src = pattern.source;
  if (/[^\x21-\x7e]/.test(src)) return false; // whitespace, control or non-ASCII characters
  if (pattern.flags.includes('m')) return false;
  // Escapes that cannot match whitespace: \d \w \b \B \S and escaped punctuation.
  const rest = src.replace(/\\[dwbBS]|\\[!-/:-@[-`{-~]/g, 'x');
  return !/[.^$]|\\[sWDpPuxcnrtfv0-9k]|\[\^/.test(rest);
}

type Tail = (text: string) => number;

/** How far back each rule can still change, for a known rule set. `bounded`: some rule is not analysable. */
function tailsFor(rules: readonly RedactionRule[]): { tails: Tail[]; bounded: boolean } {
  const tails: Tail[] = [wordTail];
  let digits = false;
  let bounded = false;
  for (const r of rules) {
    switch (r.name) {
      case 'pem_private_key':
        tails.push(pemTail(r));
        break;
      case 'aws_secret_key':
        tails.push(suffixTail(AWS_SECRET_TAIL));
        break;
      case 'bearer_token':
        tails.push(suffixTail(BEARER_TAIL));
        break;
      case 'credit_card':
      case 'ssn':
      case 'ipv4':
      case 'phone':
        digits = true;
        break;
      case 'anthropic_key':
      case 'openai_key':
      case 'aws_access_key':
      case 'google_api_key':
      case 'jwt':
      case 'url_key_param':
      case 'email':
        break; // no whitespace in a match: the word tail
      default:
        if (!matchesNoWhitespace(r.pattern)) bounded = true;
    }
  }
  if (digits) tails.push(digitTail);
  return { tails, bounded };
}

export function createStreamRedactor(redact: (text: string) => string, options: StreamRedactorOptions = {}): StreamRedactor {
  const hold = options.hold ?? DEFAULT_HOLD;
  const { tails, bounded } = options.rules ? tailsFor(options.rules) : { tails: [], bounded: true };
  let raw = ''; // the window: text not yet dropped (its start is settled and already released)
  let released = 0; // characters of redact(raw) already released

  /** raw[0..returned] can no longer change with more text. */
  const settledUntil = (text: string): number => {
    let c = bounded ? Math.max(0, text.length - hold) : text.length;
    for (const t of tails) c = Math.min(c, t(text));
    return c;
  };

  /** The last index ≤ limit right after a whitespace character (0: none). */
  const boundaryAtOrBefore = (text: string, limit: number): number => {
    for (let i = limit; i > 0; i--) if (isSpace(text[i - 1]!)) return i;
    return 0;
  };

  /** Drops the released, settled head of the window (keeps work per push small). */
  const compact = (full: string, settled: number) => {
    const minHead = bounded ? 3 * hold : 128;
    if (settled < minHead) return;
    const w = boundaryAtOrBefore(raw, bounded ? Math.min(settled, raw.length - hold) : settled);
    if (w < minHead) return;
    const head = redact(raw.slice(0, w));
    if (head.length > released || full !== head + redact(raw.slice(w))) return; // not yet released, or a match spans w
    raw = raw.slice(w);
    released -= head.length;
  };

  return {
    push(fragment) {
      if (!fragment) return '';
      raw += fragment;
      const full = redact(raw);
      const c = settledUntil(raw);
      if (c <= 0) return '';
      const head = c === raw.length ? full : redact(raw.slice(0, c));
      if (c < raw.length && full !== head + redact(raw.slice(c))) return ''; // a match spans the cut: wait
      let out = '';
      if (head.length > released) {
        out = head.slice(released);
        released = head.length;
      }
      compact(full, c);
      return out;
    },
    flush() {
      const full = redact(raw);
      const out = full.length > released ? full.slice(released) : '';
      raw = '';
      released = 0;
      return out;
    },
  };
}
