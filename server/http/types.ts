// What the server needs from the core: the DjpApi plus the two lifecycle calls the service adds.
import type { Logger } from 'pino';
import type { DjpApi, OperationTable } from '../../shared/api/index.js';
import type { Quotas } from '../../shared/quota/index.js';
import type { Authenticator } from '../auth/index.js';

export interface DrainableApi extends DjpApi {
  /** Runs started and not yet finished. */
  inFlight(): number;
  /** Waits for in-flight runs up to the deadline, then cancels the rest and saves what exists. */
  drain(deadlineMs: number): Promise<unknown>;
}

export interface ServerOptions {
  api: DrainableApi;
  auth: Authenticator;
  logger: Logger;
  /** Built renderer (dist/renderer); null or a missing folder → `/` explains how to build it. */
  staticDir?: string | null;
  /** /readyz check (the artifact store's ping). Default: always ready. */
  ready?: () => Promise<void>;
  /** Request body limit in bytes (DJP_MAX_BODY_BYTES). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Origins allowed by CORS (DJP_CORS_ORIGINS). Default: none — CORS off. */
  corsOrigins?: string[];
  /** Interval of SSE comment heartbeats. Default 15 s. */
  heartbeatMs?: number;
  /** Folder under which run requests may name server-side paths (grounded_corpus, redaction_rules). */
  dataDir?: string | null;
  /** The operations carried (default: shared/api OPERATIONS); tests add fixture operations. */
  operations?: OperationTable;
  /** Limits on event streams per identity and in total (run limits are the service's). */
  quotas?: Quotas;
  /** Where raw-body limits are read (DJP_ATTACHMENT_MAX_BYTES); default process.env. */
  env?: Record<string, string | undefined>;
  /** Version string for /openapi.json. */
  version?: string;
}
