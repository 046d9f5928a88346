// GCS StorageBackend (@google-cloud/storage v7, loaded on first use).
//
// Credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud ADC, the
// metadata server on Cloud Run/GKE). STORAGE_EMULATOR_HOST points the client at an emulator or test
// server (no auth is sent there). create() uploads with `ifGenerationMatch: 0`, which GCS checks
// atomically: when the object exists the upload fails with 412 → StorageError('conflict'). Lists page
// through pageToken with autoPaginate off; startAfter maps to startOffset (inclusive, so the key equal
// to startAfter is dropped here).
import type { Bucket, Storage } from '@google-cloud/storage';
import { StorageError, type ListOptions, type ListPage, type StorageBackend } from './backend.js';
import { joinKey, validateKey, validatePrefix } from './keys.js';

export interface GcsBackendOptions {
  bucket: string;
  prefix: string;
  env?: Record<string, string | undefined>;
  /** SDK retry attempts for retryable failures (default: the SDK's, 3). */
  maxRetries?: number;
}

const OWN_TOKEN = 'after:';

interface GcsLikeError {
  code?: number | string;
  /** Gaxios errors (resumable uploads) carry the HTTP status here. */
  status?: number;
  message?: string;
}

export class GcsBackend implements StorageBackend {
  readonly kind = 'gcs' as const;
  readonly location: string;
  readonly endpoint: string | null;
  private readonly bucketName: string;
  private readonly base: string;
  private readonly env: Record<string, string | undefined>;
  private readonly maxRetries: number | undefined;
  private bucketPromise: Promise<{ storage: Storage; bucket: Bucket }> | null = null;

  constructor(opts: GcsBackendOptions) {
    this.bucketName = opts.bucket;
    this.base = validatePrefix(opts.prefix).replace(/\/$/, '');
    this.env = opts.env ?? process.env;
    this.endpoint = this.env.STORAGE_EMULATOR_HOST || null;
    this.maxRetries = opts.maxRetries;
    this.location = `gs://${this.bucketName}${this.base ? `/${this.base}` : ''}`;
  }

  uri(key: string): string {
    return `gs://${this.bucketName}/${joinKey(this.base, validateKey(key))}`;
  }

  private bucket(): Promise<{ storage: Storage; bucket: Bucket }> {
    this.bucketPromise ??= import('@google-cloud/storage').then(({ Storage }) => {
      const projectId = this.env.GOOGLE_CLOUD_PROJECT || this.env.GCLOUD_PROJECT || (this.endpoint ? 'test' : undefined);
      const storage = new Storage({
        timeout: 30_000, // per HTTP request, so an unreachable endpoint fails over to the outbox
        ...(this.endpoint ? { apiEndpoint: this.endpoint } : {}),
        ...(projectId ? { projectId } : {}),
        ...(this.maxRetries !== undefined ? { retryOptions: { maxRetries: this.maxRetries } } : {}),
      });
      return { storage, bucket: storage.bucket(this.bucketName) };
    });
    return this.bucketPromise;
  }

  private fail(e: unknown, op: string, where: string): StorageError {
    if (e instanceof StorageError) return e;
    const err: GcsLikeError = typeof e === 'object' && e !== null ? (e as GcsLikeError) : { message: String(e) };
    const msg = `${op} ${where}: ${err.message ?? 'unknown error'}`;
    switch (typeof err.code === 'number' ? err.code : err.status) {
      case 404:
        return /bucket/i.test(err.message ?? '') && !/object/i.test(err.message ?? '')
          ? new StorageError('unavailable', `${op} ${where}: bucket "${this.bucketName}" does not exist`, { cause: e })
          : new StorageError('not_found', `${op} ${where}: not found`, { cause: e });
      case 409:
      case 412:
        return new StorageError('conflict', `${op} ${where}: already exists`, { cause: e });
      case 401:
      case 403:
        return new StorageError('access_denied', msg, { cause: e });
      default:
        return new StorageError('unavailable', msg, { cause: e });
    }
  }

  private full(key: string): string {
    return joinKey(this.base, validateKey(key));
  }

  private async upload(op: 'write' | 'create', key: string, data: Uint8Array | string, contentType: string | undefined): Promise<void> {
    const name = this.full(key);
    const { bucket } = await this.bucket();
    try {
      await bucket.file(name).save(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
        resumable: false,
        contentType: contentType ?? 'application/octet-stream',
        ...(op === 'create' ? { preconditionOpts: { ifGenerationMatch: 0 } } : {}),
      });
    } catch (e) {
      throw this.fail(e, op, this.uri(key));
    }
  }

  write(key: string, data: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    return this.upload('write', key, data, opts.contentType);
  }

  create(key: string, data: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    return this.upload('create', key, data, opts.contentType);
  }

  async read(key: string): Promise<Uint8Array> {
    const name = this.full(key);
    const { bucket } = await this.bucket();
    try {
      const [buf] = await bucket.file(name).download();
      return buf;
    } catch (e) {
      throw this.fail(e, 'read', this.uri(key));
    }
  }

  async exists(key: string): Promise<boolean> {
    const name = this.full(key);
    const { bucket } = await this.bucket();
    try {
      const [exists] = await bucket.file(name).exists();
      return exists;
    } catch (e) {
      throw this.fail(e, 'stat', this.uri(key));
    }
  }

  async delete(key: string): Promise<void> {
    const name = this.full(key);
    const { bucket } = await this.bucket();
    try {
      await bucket.file(name).delete({ ignoreNotFound: true });
    } catch (e) {
      const mapped = this.fail(e, 'delete', this.uri(key));
      if (mapped.kind !== 'not_found') throw mapped;
    }
  }

  async list(opts: ListOptions = {}): Promise<ListPage> {
    const rel = validatePrefix(opts.prefix);
    const basePrefix = this.base ? `${this.base}/` : '';
    const { bucket } = await this.bucket();
    const limit = Math.min(1000, Math.max(1, opts.limit ?? 1000));
    // Our own resume tokens ("after:<name>") come from pages that were cut short below.
    const own = opts.pageToken?.startsWith(OWN_TOKEN) ? opts.pageToken.slice(OWN_TOKEN.length) : undefined;
    const gcsToken = own === undefined ? opts.pageToken : undefined;
    const startAfter = own ?? (!opts.pageToken && opts.startAfter ? basePrefix + opts.startAfter : undefined);
    try {
      // startOffset is inclusive: ask for one more so that dropping `startAfter` still fills the page.
      const [files, next] = await bucket.getFiles({
        prefix: basePrefix + rel,
        autoPaginate: false,
        maxResults: startAfter ? Math.min(1000, limit + 1) : limit,
        ...(gcsToken ? { pageToken: gcsToken } : {}),
        ...(startAfter ? { startOffset: startAfter } : {}),
      });
      const names = files.map((f) => f.name).filter((n) => n !== startAfter && n.startsWith(basePrefix));
      const nextToken = (next as { pageToken?: string } | null | undefined)?.pageToken ?? null;
      const keys = names.slice(0, limit).map((n) => n.slice(basePrefix.length));
      if (names.length > limit) {
        // We asked for limit+1 and got it: GCS's token would skip the extra one, so resume after the last
        // key we return instead.
        return { keys, nextPageToken: `${OWN_TOKEN}${basePrefix}${keys[keys.length - 1] as string}` };
      }
      return { keys, nextPageToken: nextToken };
    } catch (e) {
      throw this.fail(e, 'list', `${this.location}/${rel}`);
    }
  }

  /**
   * A one-object LIST under the prefix: needs only storage.objects.list (which the object roles the
   * store needs anyway include), unlike a bucket metadata GET (storage.buckets.get).
   */
  async ping(): Promise<void> {
    const { bucket } = await this.bucket();
    try {
      await bucket.getFiles({ prefix: this.base ? `${this.base}/` : '', maxResults: 1, autoPaginate: false });
    } catch (e) {
      throw this.fail(e, 'open', this.location);
    }
  }
}
