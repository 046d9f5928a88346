// Parses RUNS_DIR: a path (default "runs"), file:///abs/path, s3://bucket/prefix or gs://bucket/prefix.
// Any other scheme is an error — never a local folder named "azure:".
import { fileURLToPath } from 'node:url';
import { StorageError } from './backend.js';
import { validatePrefix } from './keys.js';

export type StorageLocation =
  | { kind: 'local'; path: string }
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'gcs'; bucket: string; prefix: string };

export const DEFAULT_RUNS_DIR = 'runs';

function bad(value: string, why: string): never {
  throw new StorageError('invalid_location', `RUNS_DIR ${JSON.stringify(value)}: ${why}`);
}

function cloud(value: string, scheme: 's3' | 'gs'): { bucket: string; prefix: string } {
  const rest = value.slice(`${scheme}://`.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/\/+$/, '');
  if (!bucket) bad(value, `missing bucket name (expected ${scheme}://bucket/prefix)`);
  const bucketRe = scheme === 's3' ? /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/ : /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
  if (!bucketRe.test(bucket)) bad(value, `"${bucket}" is not a valid bucket name (lowercase letters, digits, dots, hyphens)`);
  try {
    validatePrefix(prefix);
  } catch (e) {
    bad(value, `bad prefix: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { bucket, prefix };
}

export function parseLocation(runsDir: string | undefined): StorageLocation {
  const value = (runsDir ?? '').trim() || DEFAULT_RUNS_DIR;
  if (/[\u0000-\u001f\u007f]/.test(value)) bad(value, 'contains a NUL or control character');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  // One letter before ":" is a Windows drive (C:\runs), not a scheme.
  if (!scheme || scheme.length === 1) return { kind: 'local', path: value };
  switch (scheme.toLowerCase()) {
    case 's3':
      if (!value.startsWith('s3://')) bad(value, 'expected s3://bucket/prefix');
      return { kind: 's3', ...cloud(value, 's3') };
    case 'gs':
      if (!value.startsWith('gs://')) bad(value, 'expected gs://bucket/prefix');
      return { kind: 'gcs', ...cloud(value, 'gs') };
    case 'file':
      try {
        return { kind: 'local', path: fileURLToPath(value) };
      } catch (e) {
        bad(value, `not a valid file: URL (${e instanceof Error ? e.message : String(e)})`);
      }
    // eslint-disable-next-line no-fallthrough
    default:
      return bad(value, `unsupported storage scheme "${scheme}:" — use a local path, s3://bucket/prefix or gs://bucket/prefix`);
  }
}
