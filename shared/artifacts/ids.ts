// Run ids: monotonic ULIDs — unique and time-sortable, even for many runs in the same millisecond.
//
// Their 16 random characters (and those of the history's object names) come from a pool of OS random
// bytes refilled 4 KiB at a time: ulid's own default draws one byte per character through
// crypto.getRandomValues (16 calls into the OS per id; a server at 50 runs made ~29 random-byte system
// calls per run). One byte per character, 256 = 8 × 32, so each of Crockford's 32 characters stays
// equally likely.
import { randomFillSync } from 'node:crypto';
import { monotonicFactory, type PRNG } from 'ulid';

const pool = new Uint8Array(4096);
let at = pool.length;

/** ulid's PRNG contract: a fraction in [0, 1), here a pooled random byte / 256. */
export const pooledRandom: PRNG = () => {
  if (at === pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  return pool[at++]! / 256;
};

const next = monotonicFactory(pooledRandom);

export function newRunId(now: number = Date.now()): string {
  return next(now);
}

/** The one run-id pattern lives in shared/api/ids.ts. */
export { RUN_ID_RE, isRunId } from '../api/ids.js';
