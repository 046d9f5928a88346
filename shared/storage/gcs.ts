// GCS StorageBackend (@google-cloud/storage v8, loaded on first use).
//
// Credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud ADC, the
// metadata server on Cloud Run/GKE). STORAGE_EMULATOR_HOST points the client at an emulator or test
// server (no auth is sent there). create() uploads with `ifGenerationMatch: 0`, which GCS checks
// atomically: when the object exists the upload fails with 412 → StorageError('conflict'). Lists page
// through pageToken with autoPaginate off; startAfter maps to startOffset (inclusive, so the key equal
// to startAfter is dropped here). writeIfMatch() is a compare-and-swap on the object's generation
// (`ifGenerationMatch: <generation>`, read from the x-goog-generation header of the download).
import type { Bucket, Storage } from '@google-cloud/storage';
import { StorageError, type ListOptions, type ListPage, type StorageBackend, type VersionedObject } from './backend.js';
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

  // Reads are a JSON-API media download (`alt=media`) sent with the SDK's own endpoint and credentials,
  // not `file.download()`: the SDK's stream download (teeny-request's stream mode) calls pipeline() on a
  // request stream that its retry wrapper already destroyed whenever the server answers an error, and on
  // Node 24 that throws ERR_STREAM_UNABLE_TO_PIPE outside any promise — an unhandled rejection that ends
  // the process (upstream googleapis/google-cloud-node#8670, unfixed in teeny-request 9, 10 and 11).
  // test/storage/gcs.test.ts ("server errors surface as unavailable…") fails with the SDK call.
  async read(key: string): Promise<Uint8Array> {
    return (await this.download(key)).data;
  }

  async readVersioned(key: string): Promise<VersionedObject> {
    const { data, generation } = await this.download(key);
    if (!generation) throw new StorageError('unavailable', `read ${this.uri(key)}: the server sent no x-goog-generation`);
    return { data, version: generation };
  }

  async writeIfMatch(key: string, data: Uint8Array | string, version: string, opts: { contentType?: string } = {}): Promise<string> {
    const name = this.full(key);
    const generation = Number(version);
    if (!Number.isSafeInteger(generation) || generation <= 0) {
      throw new StorageError('conflict', `update ${this.uri(key)}: ${JSON.stringify(version)} is not a generation of this object`);
    }
    const { bucket } = await this.bucket();
    const file = bucket.file(name);
    try {
      await file.save(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
        resumable: false,
        contentType: opts.contentType ?? 'application/octet-stream',
        preconditionOpts: { ifGenerationMatch: generation },
      });
    } catch (e) {
      const mapped = this.fail(e, 'update', this.uri(key));
      if (mapped.kind === 'conflict' || mapped.kind === 'not_found') {
        throw new StorageError('conflict', `update ${this.uri(key)}: the object changed since it was read (generation ${version})`, { cause: e });
      }
      throw mapped;
    }
    return String(file.metadata.generation ?? '');
  }

  private async download(key: string): Promise<{ data: Uint8Array; generation: string | null }> {
    const name = this.full(key);
    const { storage } = await this.bucket();
    const url = `${storage.apiEndpoint.replace(/\/$/, '')}/storage/v1/b/${encodeURIComponent(this.bucketName)}/o/${encodeURIComponent(name)}?alt=media`;
    const attempts = 1 + (this.maxRetries ?? 3);
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let message = '';
      try {
        // No credentials go to an emulator or test server (the SDK sends none there either).
        const headers = this.endpoint ? new Headers() : await storage.authClient.getRequestHeaders(url);
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
        if (res.ok) return { data: new Uint8Array(await res.arrayBuffer()), generation: res.headers.get('x-goog-generation') };
        status = res.status;
        const body = await res.text().catch(() => '');
        message = gcsErrorMessage(body) ?? (res.status === 404 ? 'No such object' : `HTTP ${res.status}`);
      } catch (e) {
        if (attempt >= attempts) throw this.fail(e, 'read', this.uri(key));
      }
      const retryable = status === 0 || status === 408 || status === 429 || status >= 500;
      if (status !== 0 && (!retryable || attempt >= attempts)) {
        throw this.fail({ code: status, message }, 'read', this.uri(key));
      }
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2)));
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

/** The message of a GCS JSON-API error body ({"error":{"message":…}}), if it is one. */
function gcsErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}
