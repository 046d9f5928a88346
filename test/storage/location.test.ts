import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getStorageBackend, parseLocation } from '../../shared/storage/index.js';
import { StorageError } from '../../shared/storage/backend.js';
import { createRunStore } from '../../shared/artifacts/index.js';

function invalid(fn: () => unknown): StorageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).kind).toBe('invalid_location');
    return e as StorageError;
  }
  throw new Error('expected an invalid_location error');
}

describe('RUNS_DIR parsing', () => {
  it('defaults to ./runs and accepts paths', () => {
    expect(parseLocation(undefined)).toEqual({ kind: 'local', path: 'runs' });
    expect(parseLocation('')).toEqual({ kind: 'local', path: 'runs' });
    expect(parseLocation('/var/lib/djp/runs')).toEqual({ kind: 'local', path: '/var/lib/djp/runs' });
    expect(parseLocation('data/runs')).toEqual({ kind: 'local', path: 'data/runs' });
    expect(parseLocation('C:\\djp\\runs')).toEqual({ kind: 'local', path: 'C:\\djp\\runs' });
    expect(parseLocation('file:///tmp/djp-runs')).toEqual({ kind: 'local', path: '/tmp/djp-runs' });
  });

  it('parses s3:// and gs:// with and without a prefix', () => {
    expect(parseLocation('s3://my-bucket/team/runs/')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'team/runs' });
    expect(parseLocation('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(parseLocation('gs://my_bucket/runs')).toEqual({ kind: 'gcs', bucket: 'my_bucket', prefix: 'runs' });
  });

  it('rejects unknown schemes with a clear error instead of making a folder', () => {
    for (const bad of ['azure://container/runs', 'ftp://host/runs', 'http://example.com/runs', 'https://bucket.s3.amazonaws.com', 'azure:runs']) {
      const e = invalid(() => parseLocation(bad));
      expect(e.message).toContain('unsupported storage scheme');
      expect(e.message).toContain(bad.split(':')[0]);
    }
  });

  it('rejects malformed cloud locations', () => {
    expect(invalid(() => parseLocation('s3://')).message).toContain('missing bucket');
    expect(invalid(() => parseLocation('s3:/bucket')).message).toContain('s3://bucket/prefix');
    expect(invalid(() => parseLocation('s3://Bad_Bucket/x')).message).toContain('not a valid bucket name');
    expect(invalid(() => parseLocation('s3://bucket/../other')).message).toContain('..');
    expect(invalid(() => parseLocation('gs://bucket/a\\b')).message).toContain('backslash');
    expect(invalid(() => parseLocation('runs\u0000x')).message).toContain('control');
  });

  it('getStorageBackend picks the backend by scheme and reads RUNS_DIR from env', () => {
    expect(getStorageBackend('some/dir', {}).kind).toBe('local');
    expect(getStorageBackend('some/dir', {}).location).toBe(path.resolve('some/dir'));
    expect(getStorageBackend(undefined, { RUNS_DIR: 's3://b-1/p' }).location).toBe('s3://b-1/p');
    expect(getStorageBackend(undefined, { RUNS_DIR: 'gs://b-1/p' }).location).toBe('gs://b-1/p');
    expect(getStorageBackend(undefined, {}).location).toBe(path.resolve('runs'));
    invalid(() => getStorageBackend('azure://x/y', {}));
    invalid(() => createRunStore(undefined, { env: { RUNS_DIR: 'ftp://host/runs' } }));
  });

  it('cloud stores get an outbox: option > DJP_OUTBOX_DIR > ./.djp-outbox', () => {
    expect(createRunStore('s3://b-1/p', { env: {} }).outboxDir).toBe(path.resolve('.djp-outbox'));
    expect(createRunStore('s3://b-1/p', { env: { DJP_OUTBOX_DIR: '/tmp/ob' } }).outboxDir).toBe('/tmp/ob');
    expect(createRunStore('gs://b-1/p', { env: { DJP_OUTBOX_DIR: '/tmp/ob' }, outboxDir: '/tmp/x' }).outboxDir).toBe('/tmp/x');
    expect(createRunStore('runs', { env: { DJP_OUTBOX_DIR: '/tmp/ob' } }).outboxDir).toBeNull();
  });
});
