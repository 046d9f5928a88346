// The quota rules on a stepped clock: each limit refuses with rate_limited, the limit's variable as
// `field` and a Retry-After that is when trying again really succeeds.
import { describe, expect, it } from 'vitest';
import { DjpError, isDjpError } from '../api/index.js';
import { createQuotas, quotaKey, quotaLimitsFromEnv, QUOTA_DEFAULTS, type QuotaLimits } from './index.js';

const OFF: QuotaLimits = { maxConcurrentRuns: null, runsPerMinute: null, dailyBudgetUsd: null, maxRunsInFlight: null, maxSsePerIdentity: null, maxSseTotal: null };

function refused(fn: () => unknown): DjpError {
  try {
    fn();
  } catch (e) {
    if (isDjpError(e)) return e as DjpError;
    throw e;
  }
  throw new Error('expected a rate_limited refusal, got a grant');
}

function clock(start = Date.UTC(2026, 11, 1, 12, 0, 0)) {
  let t = start;
  return { now: () => t, step: (ms: number) => (t += ms) };
}

describe('quotas', () => {
  it('concurrent runs per identity: the n+1th is refused until one finishes; others are not affected', () => {
    const q = createQuotas({ ...OFF, maxConcurrentRuns: 2 });
    const a1 = q.admitRun('user:a', null);
    q.admitRun('user:a', null);
    const e = refused(() => q.admitRun('user:a', null));
    expect(e.code).toBe('rate_limited');
    expect(e.httpStatus).toBe(429);
    expect(e.field).toBe('DJP_MAX_CONCURRENT_RUNS');
    expect(e.message).toMatch(/2 runs running.*DJP_MAX_CONCURRENT_RUNS=2/);
    expect(e.retryAfterS).toBeGreaterThanOrEqual(1);
    q.admitRun('user:b', null); // another identity has its own count
    a1.release(null);
    a1.release(null); // releasing twice frees one slot, not two
    q.admitRun('user:a', null);
    expect(() => q.admitRun('user:a', null)).toThrow(/DJP_MAX_CONCURRENT_RUNS/);
    expect(q.totals().runs).toBe(3); // a ×2, b ×1
  });

  it('runs per minute: a sliding 60 s window; Retry-After is when the oldest start leaves it', () => {
    const c = clock();
    const q = createQuotas({ ...OFF, runsPerMinute: 3 }, { now: c.now });
    q.admitRun('user:a', null).release(null);
    c.step(10_000);
    q.admitRun('user:a', null).release(null);
    c.step(10_000);
    q.admitRun('user:a', null).release(null);
    c.step(5_000);
    const e = refused(() => q.admitRun('user:a', null));
    expect(e.field).toBe('DJP_RUNS_PER_MINUTE');
    // The first start was 25 s ago: it leaves the window in 35 s.
    expect(e.retryAfterS).toBe(35);
    expect(e.message).toMatch(/retry in 35 s/);
    c.step(34_000);
    expect(() => q.admitRun('user:a', null)).toThrow(/DJP_RUNS_PER_MINUTE/);
    c.step(1_000);
    q.admitRun('user:a', null); // exactly when it said
    expect(q.usage('user:a').started_last_minute).toBe(3);
  });

  it('USD per day: projected cost is reserved while running, actual cost is spent; Retry-After is the next UTC midnight', () => {
    const c = clock(Date.UTC(2026, 11, 1, 23, 0, 0));
    const q = createQuotas({ ...OFF, dailyBudgetUsd: 1 }, { now: c.now });
    const r1 = q.admitRun('user:a', 0.6);
    // 0.6 reserved: another 0.6 would pass the budget; it may fit once the first run's real cost is known.
    const busy = refused(() => q.admitRun('user:a', 0.6));
    expect(busy.field).toBe('DJP_DAILY_BUDGET_USD');
    expect(busy.message).toMatch(/\$0\.60 reserved by running runs/);
    expect(busy.retryAfterS).toBe(5);
    q.admitRun('user:b', 0.6); // someone else's budget
    r1.release(0.3); // the run cost less than projected
    expect(q.usage('user:a')).toMatchObject({ spent_today_usd: 0.3, reserved_usd: 0, running: 0 });
    const r2 = q.admitRun('user:a', 0.6); // 0.3 + 0.6 ≤ 1
    r2.release(0.65);
    const e = refused(() => q.admitRun('user:a', 0.1)); // 0.95 spent + 0.1 > 1
    expect(e.message).toMatch(/daily budget \(DJP_DAILY_BUDGET_USD=1\.00\): \$0\.95 spent today \(UTC\), \$0\.05 left/);
    expect(e.retryAfterS).toBe(3600); // 23:00 → midnight UTC
    q.admitRun('user:a', 0.05).release(null); // unknown actual cost counts as projected
    expect(q.usage('user:a').spent_today_usd).toBeCloseTo(1.0);
    c.step(3600_000);
    q.admitRun('user:a', 0.9); // a new UTC day
    expect(q.usage('user:a').spent_today_usd).toBe(0);
  });

  it('per-process caps: runs in flight and event streams (per identity and in total)', () => {
    const q = createQuotas({ ...OFF, maxRunsInFlight: 2, maxSsePerIdentity: 2, maxSseTotal: 3 });
    const r = q.admitRun('user:a', null);
    q.admitRun('user:b', null);
    expect(refused(() => q.admitRun('user:c', null)).field).toBe('DJP_MAX_RUNS_IN_FLIGHT');
    r.release(null);
    q.admitRun('user:c', null);

    const s1 = q.openStream('user:a');
    q.openStream('user:a');
    const e = refused(() => q.openStream('user:a'));
    expect(e.field).toBe('DJP_MAX_SSE_PER_IDENTITY');
    q.openStream('user:b');
    expect(refused(() => q.openStream('user:c')).field).toBe('DJP_MAX_SSE_CONNECTIONS');
    s1();
    s1();
    expect(q.totals().streams).toBe(2);
    q.openStream('user:c');
    expect(() => q.openStream('user:d')).toThrow(/DJP_MAX_SSE_CONNECTIONS/);
  });

  it('the key is the verified identity, or the client address when unverified (DJP_AUTH=none)', () => {
    expect(quotaKey({ identity: { user: 'Ada@Example.com', source: 'iap' }, client: '10.0.0.1' })).toBe('user:ada@example.com');
    expect(quotaKey({ identity: { user: 'root', source: 'none' }, client: '::ffff:127.0.0.2' })).toBe('addr:127.0.0.2');
    expect(quotaKey({ identity: { user: 'root', source: 'none' }, client: '::1' })).toBe('addr:::1');
    expect(quotaKey({ identity: { user: 'root', source: 'none' } })).toBe('addr:local');
  });

  it('limits from the environment: defaults, 0/off for none, bad values name the variable', () => {
    expect(quotaLimitsFromEnv({})).toEqual(QUOTA_DEFAULTS);
    expect(quotaLimitsFromEnv({ DJP_MAX_CONCURRENT_RUNS: '3', DJP_RUNS_PER_MINUTE: '0', DJP_DAILY_BUDGET_USD: '2.5', DJP_MAX_SSE_CONNECTIONS: 'off' })).toMatchObject({
      maxConcurrentRuns: 3,
      runsPerMinute: null,
      dailyBudgetUsd: 2.5,
      maxSseTotal: null,
    });
    expect(() => quotaLimitsFromEnv({ DJP_RUNS_PER_MINUTE: '2.5' })).toThrow(/DJP_RUNS_PER_MINUTE="2.5" must be a whole number above 0/);
    expect(() => quotaLimitsFromEnv({ DJP_DAILY_BUDGET_USD: '-1' })).toThrow(/DJP_DAILY_BUDGET_USD="-1" must be a number of US dollars/);
    expect(() => quotaLimitsFromEnv({ DJP_MAX_SSE_PER_IDENTITY: 'lots' })).toThrow(/DJP_MAX_SSE_PER_IDENTITY/);
  });

  it('forgets identities with nothing left to count', () => {
    const c = clock();
    const q = createQuotas({ ...OFF, runsPerMinute: 10 }, { now: c.now });
    for (let i = 0; i < 50; i++) q.admitRun(`user:${i}`, null).release(0);
    c.step(61_000);
    // A later release prunes; usage of a forgotten identity is all zero.
    expect(q.usage('user:7')).toEqual({ key: 'user:7', running: 0, started_last_minute: 0, spent_today_usd: 0, reserved_usd: 0 });
  });

  it('batch rows do not use their owner’s interactive limits, but count against the process cap and the daily budget', () => {
    const c = clock();
    const q = createQuotas({ ...OFF, maxConcurrentRuns: 1, runsPerMinute: 2, maxRunsInFlight: 5, dailyBudgetUsd: 1 }, { now: c.now });
    const rows = [q.admitRun('user:a', 0.2, 'batch'), q.admitRun('user:a', 0.2, 'batch'), q.admitRun('user:a', 0.2, 'batch')];
    // Three batch rows running and started this minute: the owner can still start a run by hand.
    const own = q.admitRun('user:a', 0.1);
    expect(refused(() => q.admitRun('user:a', 0.1)).field).toBe('DJP_MAX_CONCURRENT_RUNS');
    // The process cap counts everything.
    const b = q.admitRun('user:b', 0, 'batch');
    expect(refused(() => q.admitRun('user:b', 0, 'batch')).field).toBe('DJP_MAX_RUNS_IN_FLIGHT');
    b.release(0);
    for (const r of rows) r.release(0.25);
    own.release(0.1);
    // 0.85 spent: a batch row projected at 0.2 would pass the daily budget.
    expect(refused(() => q.admitRun('user:a', 0.2, 'batch')).field).toBe('DJP_DAILY_BUDGET_USD');
    expect(q.totals().runs).toBe(0);
  });
});
