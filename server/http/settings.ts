// Server settings from the environment (12-factor). Each bad value is refused with the variable named.
import { join, resolve } from 'node:path';
import { findAppRoot } from '../../shared/service/provenance.js';
import { parseOrigins } from './headers.js';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import { QUOTA_DEFAULTS, QUOTA_DEFAULTS_LOCAL, QuotaConfigError, quotaLimitsFromEnv, type QuotaLimits } from '../../shared/quota/index.js';
import { isLoopbackHost } from '../auth/none.js';

export type { Env } from '../../shared/config/env.js';
import type { Env } from '../../shared/config/env.js';

export interface ServerSettings {
  port: number;
  host: string;
  maxBodyBytes: number;
  corsOrigins: string[];
  shutdownDeadlineMs: number;
  staticDir: string;
  dataDir: string | null;
  logLevel: string;
  outboxSyncMs: number;
  heartbeatMs: number;
  /** GOOGLE_CLOUD_PROJECT: log lines carry Cloud Logging's trace field (projects/ID/traces/TRACE). */
  gcpProject: string | null;
  /** DJP_MAX_CONCURRENT_RUNS, DJP_RUNS_PER_MINUTE, DJP_DAILY_BUDGET_USD, DJP_MAX_RUNS_IN_FLIGHT, DJP_MAX_SSE_*. */
  quotas: QuotaLimits;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Default shutdown deadline: Cloud Run sends SIGKILL 10 s after SIGTERM, so 8 s fits everywhere. */
export const DEFAULT_SHUTDOWN_DEADLINE_S = 8;

function num(env: Env, name: string, dflt: number, min: number, max: number, integer = true): number {
  const raw = env[name]?.trim();
  if (!raw) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new SettingsError(`${name}="${raw}" must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

/** The package root (the app's package.json folder, from src, dist/ or the dist/cli bundle); else the working folder. */
export function packageRoot(): string {
  return findAppRoot() ?? process.cwd();
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function logLevel(env: Env): string {
  const v = (env['DJP_LOG_LEVEL'] ?? '').trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(v)) throw new SettingsError(`DJP_LOG_LEVEL="${env['DJP_LOG_LEVEL']}" is not one of ${LOG_LEVELS.join(', ')}`);
  return v;
}

/** Per-identity limits are on by default for a shared server: SSO, or listening beyond loopback. */
function quotas(env: Env, host: string): QuotaLimits {
  const local = ((env['DJP_AUTH'] ?? '').trim().toLowerCase() || 'none') === 'none' && isLoopbackHost(host);
  try {
    return quotaLimitsFromEnv(env, local ? QUOTA_DEFAULTS_LOCAL : QUOTA_DEFAULTS);
  } catch (e) {
    if (e instanceof QuotaConfigError) throw new SettingsError(e.message);
    throw e;
  }
}

function gcpProject(env: Env): string | null {
  const v = env['GOOGLE_CLOUD_PROJECT']?.trim();
  if (!v) return null;
  // Project ids are lower-case letters, digits and hyphens; legacy domain-scoped ones have "example.com:".
  if (!/^[a-z0-9.:-]{1,100}$/i.test(v)) throw new SettingsError(`GOOGLE_CLOUD_PROJECT="${v}" is not a Google Cloud project id`);
  return v;
}

export function serverSettings(env: Env, flags: { port?: string | number; host?: string } = {}): ServerSettings {
  const portEnv = flags.port !== undefined ? { PORT: String(flags.port) } : {};
  const port = num({ ...env, ...portEnv }, 'PORT', 8080, 0, 65535);
  const host = (flags.host ?? env['HOST'] ?? '127.0.0.1').trim() || '127.0.0.1';
  return {
    port,
    host,
    maxBodyBytes: num(env, 'DJP_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 64 * 1024 * 1024),
    corsOrigins: parseOrigins(env['DJP_CORS_ORIGINS']),
    shutdownDeadlineMs: Math.round(num(env, 'DJP_SHUTDOWN_DEADLINE_S', DEFAULT_SHUTDOWN_DEADLINE_S, 0, 3600, false) * 1000),
    staticDir: resolve(env['DJP_STATIC_DIR']?.trim() || join(packageRoot(), 'dist', 'renderer')),
    dataDir: env['DJP_SERVER_DATA_DIR']?.trim() ? resolve(env['DJP_SERVER_DATA_DIR'].trim()) : null,
    logLevel: logLevel(env),
    outboxSyncMs: Math.round(num(env, 'DJP_OUTBOX_SYNC_S', 60, 1, 86400, false) * 1000),
    heartbeatMs: 15_000,
    gcpProject: gcpProject(env),
    quotas: quotas(env, host),
  };
}
