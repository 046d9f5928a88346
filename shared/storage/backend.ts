// The one storage interface. Implementations: local.ts (atomic temp-file + rename), s3.ts
// (@aws-sdk/client-s3), gcs.ts (@google-cloud/storage). `getStorageBackend(runsDir)` in index.ts
// picks by scheme. Keys are relative, '/'-separated; validateKey() runs before any I/O.

export type StorageErrorKind = 'not_found' | 'conflict' | 'access_denied' | 'unavailable' | 'invalid_key' | 'invalid_location';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ListOptions {
  /** Only keys starting with this prefix. */
  prefix?: string;
  /** Page size hint (backends may return fewer). */
  limit?: number;
  /** Opaque token from a previous page. */
  pageToken?: string;
  /**
   * List keys in lexicographic order starting after this key (S3 StartAfter / GCS startOffset),
   * when the backend supports it.
   */
  startAfter?: string;
}

export interface ListPage {
  keys: string[];
  nextPageToken: string | null;
}

/** An object's content and the version it was read at (S3 ETag, GCS generation, a content hash on disk). */
export interface VersionedObject {
  data: Uint8Array;
  /** Opaque; pass it back to writeIfMatch(). */
  version: string;
}

export interface StorageBackend {
  readonly kind: 'local' | 's3' | 'gcs';
  /** Human-readable location: a path or s3://bucket/prefix. */
  readonly location: string;
  /** Full URI/path of one key, for messages and the run result. */
  uri(key: string): string;
  /** Overwrites atomically (readers see the old or the new content, never a torn one). */
  write(key: string, data: Uint8Array | string, opts?: { contentType?: string }): Promise<void>;
  /** Writes only if the key does not exist; throws StorageError('conflict') if it does. */
  create(key: string, data: Uint8Array | string, opts?: { contentType?: string }): Promise<void>;
  /** Throws StorageError('not_found') when missing. */
  read(key: string): Promise<Uint8Array>;
  /** read() plus the object's current version, for a later compare-and-swap. */
  readVersioned(key: string): Promise<VersionedObject>;
  /**
   * Compare-and-swap: overwrites `key` only if its stored version is still `version` (S3 If-Match on
   * the ETag, GCS ifGenerationMatch, a lock file on disk). Throws StorageError('conflict') when the object
   * changed since (or was deleted). Returns the new version.
   */
  writeIfMatch(key: string, data: Uint8Array | string, version: string, opts?: { contentType?: string }): Promise<string>;
  exists(key: string): Promise<boolean>;
  /** Missing keys are not an error. */
  delete(key: string): Promise<void>;
  /** Keys in lexicographic order. */
  list(opts?: ListOptions): Promise<ListPage>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
}
