// Quotas and bounds for a shared server, per identity and per process:
//   per identity — concurrent runs, runs started per minute (sliding 60 s window), USD per UTC day;
//   per process  — runs in flight in total, SSE connections per identity and in total.
// A refusal is a DjpError('rate_limited') whose `field` names the limit's variable and whose
// `retryAfterS` says when trying again can succeed; the HTTP server answers 429 with Retry-After.
// State is in this process's memory: with N replicas behind a load balancer each enforces its own
// share (docs/DEPLOYMENT.md says so). No clock of its own: `now` is injected (tests step it).
import { DjpError } from '../api/index.js';
import type { CallContext } from '../api/index.js';

export interface QuotaLimits {
  /** DJP_MAX_CONCURRENT_RUNS: runs one identity may have running at once (null = no limit). */
  maxConcurrentRuns: number | null;
  /** DJP_RUNS_PER_MINUTE: runs one identity may start in any 60 s (null = no limit). */
  runsPerMinute: number | null;
  /** DJP_DAILY_BUDGET_USD: USD one identity may spend per UTC day, projected cost reserved up front (null = no limit). */
  dailyBudgetUsd: number | null;
  /** DJP_MAX_RUNS_IN_FLIGHT: runs this process runs at once, everyone together (null = no limit). */
  maxRunsInFlight: number | null;
  /** DJP_MAX_SSE_PER_IDENTITY: event streams one identity may hold open (null = no limit). */
  maxSsePerIdentity: number | null;
  /** DJP_MAX_SSE_CONNECTIONS: event streams this process holds open in total (null = no limit). */
  maxSseTotal: number | null;
}

export const QUOTA_DEFAULTS: QuotaLimits = {
  maxConcurrentRuns: 5,
  runsPerMinute: 30,
  dailyBudgetUsd: null,
  maxRunsInFlight: 100,
  maxSsePerIdentity: 20,
  maxSseTotal: 500,
};

/**
 * Defaults for a server only its own machine can reach (DJP_AUTH=none on loopback): one person, so
 * no per-identity limits unless set; the per-process caps still hold.
 */
export const QUOTA_DEFAULTS_LOCAL: QuotaLimits = { ...QUOTA_DEFAULTS, maxConcurrentRuns: null, runsPerMinute: null };

/** The variable behind each limit (what a 429 names, what the docs list). */
export const QUOTA_ENV: Record<keyof QuotaLimits, string> = {
  maxConcurrentRuns: 'DJP_MAX_CONCURRENT_RUNS',
  runsPerMinute: 'DJP_RUNS_PER_MINUTE',
  dailyBudgetUsd: 'DJP_DAILY_BUDGET_USD',
  maxRunsInFlight: 'DJP_MAX_RUNS_IN_FLIGHT',
  maxSsePerIdentity: 'DJP_MAX_SSE_PER_IDENTITY',
  maxSseTotal: 'DJP_MAX_SSE_CONNECTIONS',
};

export class QuotaConfigError extends Error {
  override readonly name = 'QuotaConfigError';
}

/**
 * Limits from the environment: unset → the default, `0` or `off` → no limit, anything else must be
 * a positive integer (a non-negative number for the USD budget). Throws QuotaConfigError naming the variable.
 */
export function quotaLimitsFromEnv(env: Record<string, string | undefined>, defaults: QuotaLimits = QUOTA_DEFAULTS): QuotaLimits {
  const out = { ...defaults };
  for (const key of Object.keys(QUOTA_ENV) as Array<keyof QuotaLimits>) {
    const name = QUOTA_ENV[key];
    const raw = env[name]?.trim();
    if (!raw) continue;
    if (/^(0|off|none|unlimited)$/i.test(raw)) {
      out[key] = null;
      continue;
    }
    const n = Number(raw);
    const money = key === 'dailyBudgetUsd';
    if (!Number.isFinite(n) || n <= 0 || (!money && !Number.isInteger(n)) || n > 1e9) {
      throw new QuotaConfigError(`${name}="${raw}" must be ${money ? 'a number of US dollars above 0' : 'a whole number above 0'}, or 0 for no limit`);
    }
    out[key] = n;
  }
  return out;
}

/**
 * Whose quota a call counts against: the verified SSO identity, or — with DJP_AUTH=none, where the
 * identity is just the server's OS user — the client's network address.
 */
export function quotaKey(ctx: CallContext): string {
  // "::ffff:10.0.0.5" (IPv4 on a dual-stack socket) and "10.0.0.5" are the same client.
  if (ctx.identity.source === 'none') return `addr:${(ctx.client ?? 'local').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')}`;
  return `user:${ctx.identity.user.toLowerCase()}`;
}

/** The error a refused call gets. `field` is the variable's name; `retryAfterS` ≥ 1. */
export function rateLimited(message: string, variable: string, retryAfterS: number): DjpError {
  return new DjpError('rate_limited', message, variable, { retryAfterS: Math.max(1, Math.ceil(retryAfterS)) });
}

/** A granted run slot. Release it once the run has finished, with what it really cost. */
export interface RunLease {
  release(actualUsd: number | null): void;
}

/** A granted event-stream slot. */
export type SseLease = () => void;

export interface QuotaUsage {
  key: string;
  running: number;
  started_last_minute: number;
  spent_today_usd: number;
  reserved_usd: number;
}

export interface Quotas {
  readonly limits: QuotaLimits;
  /**
   * Grants a run slot or throws rate_limited. `projectedUsd` (null when unpriced) is reserved against the daily budget.
   * `batch`: a row of a batch, already bounded by the process's DJP_BATCH_CONCURRENCY slots and its batch's budget: it
   * counts against the process cap and the identity's daily budget, but not against the identity's interactive limits
   * (runs at once, runs per minute), so a running batch never keeps its owner from starting a run by hand.
   */
  admitRun(key: string, projectedUsd: number | null, kind?: 'interactive' | 'batch'): RunLease;
  /** Grants an SSE slot or throws rate_limited. */
  openStream(key: string): SseLease;
  usage(key: string): QuotaUsage;
  /** Runs and streams held now, everyone together. */
  totals(): { runs: number; streams: number };
}

/** How long a client is told to wait when a slot (not a window) is full: runs take seconds. */
const SLOT_RETRY_S = 5;
const MINUTE_MS = 60_000;

interface Account {
  running: number;
  /** Start times (ms) within the last minute, oldest first. */
  starts: number[];
  day: string;
  spent: number;
  reserved: number;
  streams: number;
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const secondsToNextUtcDay = (ms: number): number => {
  const d = new Date(ms);
  return (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - ms) / 1000;
};
const usd = (n: number): string => (n >= 0.01 ? n.toFixed(2) : n === 0 ? '0.00' : n.toPrecision(2));

export function createQuotas(limits: QuotaLimits, opts: { now?: () => number } = {}): Quotas {
  const now = opts.now ?? Date.now;
  const accounts = new Map<string, Account>();
  let runs = 0;
  let streams = 0;
  // Forget an identity with nothing running, nothing recent and nothing spent (bounded memory).
  const prune = (key: string, a: Account): void => {
    if (a.running === 0 && a.streams === 0 && a.starts.length === 0 && a.spent === 0 && a.reserved === 0) accounts.delete(key);
  };

  const sweep = (t: number): void => {
    for (const [key, a] of accounts) {
      if (a.day !== utcDay(t)) a.spent = 0;
      while (a.starts.length > 0 && a.starts[0]! <= t - MINUTE_MS) a.starts.shift();
      prune(key, a);
    }
  };
  const account = (key: string, t: number): Account => {
    let a = accounts.get(key);
    if (!a) {
      if (accounts.size >= 10_000) sweep(t);
      a = { running: 0, starts: [], day: utcDay(t), spent: 0, reserved: 0, streams: 0 };
      accounts.set(key, a);
    }
    const day = utcDay(t);
    if (a.day !== day) {
      // A new UTC day: yesterday's spending no longer counts (runs still going keep their reservation).
      a.day = day;
      a.spent = 0;
    }
    while (a.starts.length > 0 && a.starts[0]! <= t - MINUTE_MS) a.starts.shift();
    return a;
  };

  return {
    limits,

    admitRun(key, projectedUsd, kind = 'interactive') {
      const interactive = kind === 'interactive';
      const t = now();
      const a = account(key, t);
      const projected = projectedUsd !== null && Number.isFinite(projectedUsd) && projectedUsd > 0 ? projectedUsd : 0;
      if (limits.maxRunsInFlight !== null && runs >= limits.maxRunsInFlight) {
        throw rateLimited(`this server is running its maximum of ${limits.maxRunsInFlight} runs (${QUOTA_ENV.maxRunsInFlight}); try again shortly`, QUOTA_ENV.maxRunsInFlight, SLOT_RETRY_S);
      }
      if (interactive && limits.maxConcurrentRuns !== null && a.running >= limits.maxConcurrentRuns) {
        throw rateLimited(
          `you already have ${a.running} runs running, the most allowed at once (${QUOTA_ENV.maxConcurrentRuns}=${limits.maxConcurrentRuns}); wait for one to finish`,
          QUOTA_ENV.maxConcurrentRuns,
          SLOT_RETRY_S,
        );
      }
      if (interactive && limits.runsPerMinute !== null && a.starts.length >= limits.runsPerMinute) {
        const wait = (a.starts[a.starts.length - limits.runsPerMinute]! + MINUTE_MS - t) / 1000;
        throw rateLimited(
          `you started ${a.starts.length} runs in the last minute, the most allowed (${QUOTA_ENV.runsPerMinute}=${limits.runsPerMinute}); retry in ${Math.max(1, Math.ceil(wait))} s`,
          QUOTA_ENV.runsPerMinute,
          wait,
        );
      }
      if (limits.dailyBudgetUsd !== null && a.spent + a.reserved + projected > limits.dailyBudgetUsd + 1e-9) {
        const left = Math.max(0, limits.dailyBudgetUsd - a.spent - a.reserved);
        const wait = a.reserved > 0 && a.spent + projected <= limits.dailyBudgetUsd ? SLOT_RETRY_S : secondsToNextUtcDay(t);
        throw rateLimited(
          `this run (projected $${usd(projected)}) would exceed your daily budget (${QUOTA_ENV.dailyBudgetUsd}=${usd(limits.dailyBudgetUsd)}): $${usd(a.spent)} spent today (UTC)` +
            (a.reserved > 0 ? `, $${usd(a.reserved)} reserved by running runs` : '') +
            `, $${usd(left)} left`,
          QUOTA_ENV.dailyBudgetUsd,
          wait,
        );
      }
      if (interactive) {
        a.running += 1;
        a.starts.push(t);
      }
      a.reserved += projected;
      runs += 1;
      let released = false;
      return {
        release(actualUsd) {
          if (released) return;
          released = true;
          const t2 = now();
          const b = account(key, t2);
          if (interactive) b.running -= 1;
          b.reserved = Math.max(0, b.reserved - projected);
          // What the run really cost; when unknown (unpriced models), what was projected.
          const cost = actualUsd !== null && Number.isFinite(actualUsd) && actualUsd >= 0 ? actualUsd : projected;
          b.spent += cost;
          runs -= 1;
          prune(key, b);
        },
      };
    },

    openStream(key) {
      const a = account(key, now());
      if (limits.maxSseTotal !== null && streams >= limits.maxSseTotal) {
        throw rateLimited(`this server holds its maximum of ${limits.maxSseTotal} event streams (${QUOTA_ENV.maxSseTotal}); try again shortly`, QUOTA_ENV.maxSseTotal, SLOT_RETRY_S);
      }
      if (limits.maxSsePerIdentity !== null && a.streams >= limits.maxSsePerIdentity) {
        throw rateLimited(
          `you already have ${a.streams} event streams open, the most allowed (${QUOTA_ENV.maxSsePerIdentity}=${limits.maxSsePerIdentity}); close one (another tab?)`,
          QUOTA_ENV.maxSsePerIdentity,
          SLOT_RETRY_S,
        );
      }
      a.streams += 1;
      streams += 1;
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        const b = account(key, now());
        b.streams -= 1;
        streams -= 1;
        prune(key, b);
      };
    },

    usage(key) {
      const a = accounts.get(key);
      const t = now();
      if (!a) return { key, running: 0, started_last_minute: 0, spent_today_usd: 0, reserved_usd: 0 };
      const b = account(key, t);
      return { key, running: b.running, started_last_minute: b.starts.length, spent_today_usd: b.spent, reserved_usd: b.reserved };
    },

    totals: () => ({ runs, streams }),
  };
}
