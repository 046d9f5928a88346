// Key layout of a run store (relative to the backend's base: a folder, or s3://bucket/prefix, …).
//
//   <id>.json                            the artifact (RunArtifact JSON), written create-only
//   .index/<inv-id>-<s>-<providers>.json a small index entry (IndexEntry: the RunSummary + task text)
//
// <inv-id> is the ULID run id with every Crockford base32 digit inverted (0↔Z, 1↔Y, …), so that a
// plain lexicographic LIST — the only order S3 and GCS offer — returns the NEWEST run first. <s> is a
// one-letter publish status and <providers> the sorted one-letter codes of the run's providers ("0" when
// none), so the status and provider filters are decided from the key alone, without a read.
// The index folder is ".index" so that it sorts before the run ids (digits) — listing tools and
// S3-compatible servers that walk folders in order reach it first — and stays out of `ls runs`.
// History's first page is therefore one LIST call (startAfter/startOffset jumps to the cursor or the
// `to` date) plus `limit` small parallel reads of index entries — independent of the number of runs.
// Every key for one run shares the prefix ".index/<inv-id>-", so update() and delete() find a run's
// entries with one prefix LIST without knowing its old status.
import { PROVIDER_IDS, PUBLISH_STATUSES, type ProviderId, type PublishStatus, type RunArtifact } from '../api/index.js';

export const INDEX_PREFIX = '.index/';
/** A run id (shared/api/ids.ts: the one pattern). */
export { RUN_ID_RE as ULID_RE } from '../api/ids.js';
import { RUN_ID_RE as ULID_RE } from '../api/ids.js';
const RUN_ID_RE_SOURCE = ULID_RE.source.replace(/^\^/, '').replace(/\$$/, '');
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const STATUS_CODE: Record<PublishStatus, string> = {
  published: 'p',
  advisory_only: 'a',
  none: 'n',
  pending_approval: 'w',
};
export const PROVIDER_CODE: Record<ProviderId, string> = {
  openai: 'o',
  anthropic: 'a',
  google: 'g',
  openai_compatible: 'c',
  offline: 'f',
};
const STATUS_BY_CODE = new Map(PUBLISH_STATUSES.map((s) => [STATUS_CODE[s], s]));
const PROVIDER_BY_CODE = new Map(PROVIDER_IDS.map((p) => [PROVIDER_CODE[p], p]));

/** A run id's pattern without anchors (an inverted id uses the same alphabet and length). */
const ID = RUN_ID_RE_SOURCE;
const INDEX_KEY_RE = new RegExp(`^\\.index/(${ID})-([a-z])-([a-z]+|0)\\.json$`);
const ARTIFACT_KEY_RE = new RegExp(`^(${ID})\\.json$`);

/** Inverts each Crockford digit so that ascending order of the result is descending order of `id`. */
export function invertId(id: string): string {
  let out = '';
  for (const ch of id) {
    const i = CROCKFORD.indexOf(ch);
    if (i < 0) throw new Error(`not a Crockford base32 digit: ${JSON.stringify(ch)}`);
    out += CROCKFORD[31 - i];
  }
  return out;
}

/** Milliseconds encoded in a ULID's first 10 characters. */
export function ulidTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, 10)) ms = ms * 32 + CROCKFORD.indexOf(ch);
  return ms;
}

/** The 10-character ULID time prefix of `ms`. */
export function encodeUlidTime(ms: number): string {
  let out = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

export function artifactKey(id: string): string {
  return `${id}.json`;
}

/** The run id of an artifact key ("<id>.json" at the top of the store), else null. */
export function artifactIdOfKey(key: string): string | null {
  return ARTIFACT_KEY_RE.exec(key)?.[1] ?? null;
}

export function providersOf(artifact: RunArtifact): ProviderId[] {
  const set = new Set<ProviderId>(artifact.drafts.map((d) => d.provider));
  if (set.size === 0) for (const d of artifact.parameters.debaters) set.add(d.provider);
  return PROVIDER_IDS.filter((p) => set.has(p));
}

export function indexKey(artifact: RunArtifact): string {
  const providers = providersOf(artifact).map((p) => PROVIDER_CODE[p]).join('') || '0';
  return `${indexIdPrefix(artifact.id)}${STATUS_CODE[artifact.status]}-${providers}.json`;
}

/** The prefix every index key of run `id` starts with. */
export function indexIdPrefix(id: string): string {
  return `${INDEX_PREFIX}${invertId(id)}-`;
}

export interface ParsedIndexKey {
  key: string;
  id: string;
  /** ULID time of the id (ms). */
  idTime: number;
  status: PublishStatus;
  providers: ProviderId[];
}

export function parseIndexKey(key: string): ParsedIndexKey | null {
  const m = INDEX_KEY_RE.exec(key);
  if (!m) return null;
  const status = STATUS_BY_CODE.get(m[2] as string);
  if (!status) return null;
  const providers: ProviderId[] = [];
  if (m[3] !== '0') {
    for (const c of m[3] as string) {
      const p = PROVIDER_BY_CODE.get(c);
      if (!p) return null;
      providers.push(p);
    }
  }
  const id = invertId(m[1] as string);
  return { key, id, idTime: ulidTime(id), status, providers };
}

/** startAfter value that skips every index key of run `id` (and everything newer). */
export function afterIdKey(id: string): string {
  return `${indexIdPrefix(id)}~`;
}

/** startAfter value that skips every run whose ULID time is later than `ms`. */
export function afterTimeKey(ms: number): string {
  return `${INDEX_PREFIX}${invertId(encodeUlidTime(ms + 1))}~`;
}

// --- cursors: opaque to clients ---------------------------------------------------------------
export function encodeCursor(lastId: string): string {
  return Buffer.from(`r1:${lastId}`, 'utf8').toString('base64url');
}

/** The last run id of the previous page, or null when the cursor is not one of ours. */
export function decodeCursor(cursor: string): string | null {
  let text: string;
  try {
    text = Buffer.from(cursor, 'base64url').toString('utf8');
  } catch {
    return null;
  }
  if (!text.startsWith('r1:')) return null;
  const id = text.slice(3);
  return ULID_RE.test(id) ? id : null;
}
