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
  exists(key: string): Promise<boolean>;
  /** Missing keys are not an error. */
  delete(key: string): Promise<void>;
  /** Keys in lexicographic order. */
  list(opts?: ListOptions): Promise<ListPage>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
}
