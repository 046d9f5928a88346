// getStorageBackend(runsDir?, env?): the StorageBackend for RUNS_DIR.
//   a path (default "runs") or file:///abs → LocalBackend
//   s3://bucket/prefix                      → S3Backend (AWS default credential chain and region;
//                                             AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL → path-style)
//   gs://bucket/prefix                      → GcsBackend (ADC; STORAGE_EMULATOR_HOST)
//   anything else (azure://, ftp://, …)     → StorageError('invalid_location')
// The cloud SDKs are loaded on first use, so a local store never pays for them.
import type { StorageBackend } from './backend.js';
import { GcsBackend } from './gcs.js';
import { LocalBackend } from './local.js';
import { parseLocation } from './location.js';
import { S3Backend } from './s3.js';

export type { Env } from '../config/env.js';
import type { Env } from '../config/env.js';

export function getStorageBackend(runsDir?: string, env: Env = process.env): StorageBackend {
  const loc = parseLocation(runsDir ?? env.RUNS_DIR);
  switch (loc.kind) {
    case 'local':
      return new LocalBackend(loc.path);
    case 's3':
      return new S3Backend({ bucket: loc.bucket, prefix: loc.prefix, env });
    case 'gcs':
      return new GcsBackend({ bucket: loc.bucket, prefix: loc.prefix, env });
  }
}

export { StorageError, type StorageBackend, type StorageErrorKind, type ListOptions, type ListPage } from './backend.js';
export { LocalBackend } from './local.js';
export { S3Backend } from './s3.js';
export { GcsBackend } from './gcs.js';
export { parseLocation, DEFAULT_RUNS_DIR, type StorageLocation } from './location.js';
export { validateKey, validatePrefix } from './keys.js';
