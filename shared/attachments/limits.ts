// Attachment size limits, as settings: per file and per run (the run's own files plus those it inherits
// from its thread).
import { DjpError } from '../api/index.js';

export const DEFAULT_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_RUN_BYTES = 50 * 1024 * 1024;

export interface AttachmentLimits {
  /** DJP_ATTACHMENT_MAX_BYTES (default 10 MB) */
  fileBytes: number;
  /** DJP_ATTACHMENTS_MAX_RUN_BYTES (default 50 MB) */
  runBytes: number;
}

function positive(env: Record<string, string | undefined>, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new DjpError('invalid', `${name}: must be a whole number of bytes above 0, got ${JSON.stringify(raw)}`, name);
  return n;
}

export function attachmentLimits(env: Record<string, string | undefined> = process.env): AttachmentLimits {
  return { fileBytes: positive(env, 'DJP_ATTACHMENT_MAX_BYTES', DEFAULT_FILE_BYTES), runBytes: positive(env, 'DJP_ATTACHMENTS_MAX_RUN_BYTES', DEFAULT_RUN_BYTES) };
}

export function mb(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return m >= 1 ? `${Number.isInteger(m) ? m : m.toFixed(1)} MB` : `${bytes} bytes`;
}
