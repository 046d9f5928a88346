// S3 StorageBackend (@aws-sdk/client-s3, loaded on first use).
//
// Credentials and region come from the SDK's default chain (env, shared config/credentials files,
// SSO, container/instance roles). AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, points the client at an
// S3-compatible server (MinIO, R2, s3rver) and switches to path-style addressing.
//
// create() sends `If-None-Match: *`, which AWS S3 (since 2024), MinIO and R2 honour atomically: a second
// writer gets 412 → StorageError('conflict'). Some S3-compatible servers (s3rver among them) ignore the
// header; against a custom endpoint we therefore also HEAD the key first. That check narrows but cannot
// close the race on such servers: two writers of the SAME key within one round trip could both succeed.
// Run ids are ULIDs (80 random bits), so in practice distinct runs never share a key.
//
// writeIfMatch() is a compare-and-swap on the ETag: PUT with `If-Match: <etag>`. AWS S3 (since Nov 2024)
// takes the quoted ETag that GET/HEAD return. Ceph RGW compares against the ETag WITHOUT its quotes (the
// quoted form gets 412 even when it matches), so against a custom endpoint a 412 on the quoted form is
// retried once unquoted, and the form that worked is remembered for this backend. The retry cannot turn
// a real conflict into a success: both forms are compared against the same stored ETag. Servers that
// ignore If-Match (s3rver) get the same HEAD-first check as create().
import { STATUS_CODES } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { StorageError, type ListOptions, type ListPage, type StorageBackend, type VersionedObject } from './backend.js';
import { joinKey, validateKey, validatePrefix } from './keys.js';

export interface S3BackendOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading/trailing "/" ("" for the bucket root). */
  prefix: string;
  env?: Record<string, string | undefined>;
  /** HEAD before create-only writes (default: only when a custom endpoint is configured). */
  headBeforeCreate?: boolean;
}

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function asAws(e: unknown): AwsLikeError {
  return typeof e === 'object' && e !== null ? (e as AwsLikeError) : { message: String(e) };
}

export class S3Backend implements StorageBackend {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly endpoint: string | null;
  private readonly bucket: string;
  private readonly base: string;
  private readonly env: Record<string, string | undefined>;
  private readonly headFirst: boolean;
  /** How this server wants If-Match's ETag: learned on the first successful compare-and-swap. */
  private ifMatchForm: 'quoted' | 'unquoted' | null = null;
  private clientPromise: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | null = null;

  constructor(opts: S3BackendOptions) {
    this.bucket = opts.bucket;
    this.base = validatePrefix(opts.prefix).replace(/\/$/, '');
    this.env = opts.env ?? process.env;
    this.endpoint = this.env.AWS_ENDPOINT_URL_S3 || this.env.AWS_ENDPOINT_URL || null;
    this.headFirst = opts.headBeforeCreate ?? this.endpoint !== null;
    this.location = `s3://${this.bucket}${this.base ? `/${this.base}` : ''}`;
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${joinKey(this.base, validateKey(key))}`;
  }

  private sdk(): Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> {
    this.clientPromise ??= import('@aws-sdk/client-s3').then((sdk) => {
      const env = this.env;
      const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (this.endpoint ? 'us-east-1' : undefined);
      const credentials =
        env !== process.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
          ? {
              accessKeyId: env.AWS_ACCESS_KEY_ID,
              secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
              ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            }
          : undefined;
      // S3-compatible servers often reject the SDK's default CRC32 checksum headers (added in 3.729);
      // with a custom endpoint, send checksums only where the API requires them, unless the user chose.
      const compatChecksums =
        this.endpoint && !env.AWS_REQUEST_CHECKSUM_CALCULATION
          ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }
          : {};
      const client = new sdk.S3Client({
        ...(region ? { region } : {}),
        ...(this.endpoint ? { endpoint: this.endpoint, forcePathStyle: true } : {}),
        ...compatChecksums,
        // Bound each attempt so an unreachable endpoint fails over to the outbox instead of hanging.
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
        ...(credentials ? { credentials } : {}),
      });
      return { client, sdk };
    });
    return this.clientPromise;
  }

  private fail(e: unknown, op: string, where: string): StorageError {
    if (e instanceof StorageError) return e;
    const err = asAws(e);
    const status = err.$metadata?.httpStatusCode;
    const name = err.name ?? err.code ?? '';
    // A response without a parseable error body (HEAD, or a proxy's HTML page) reaches us as
    // "UnknownError": say the HTTP status instead, which is what the server actually answered.
    const unknown = (v: string | undefined) => !v || /^Unknown(Error)?$/i.test(v.trim());
    const http = status ? `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}` : '';
    const detail =
      unknown(name) && unknown(err.message)
        ? http || 'unknown error (no HTTP status)'
        : `${unknown(name) ? '' : `${name}: `}${unknown(err.message) ? http : err.message}${http && !unknown(err.message) ? ` (${http})` : ''}`;
    const msg = `${op} ${where}: ${detail}`;
    if (name === 'NoSuchBucket') return new StorageError('unavailable', `${op} ${where}: bucket "${this.bucket}" does not exist`, { cause: e });
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new StorageError('not_found', `${op} ${where}: not found`, { cause: e });
    if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409) {
      return new StorageError('conflict', `${op} ${where}: already exists`, { cause: e });
    }
    if (status === 401 || status === 403 || /AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|CredentialsProviderError/.test(name)) {
      return new StorageError('access_denied', msg, { cause: e });
    }
    return new StorageError('unavailable', msg, { cause: e });
  }

  private full(key: string): string {
    return joinKey(this.base, validateKey(key));
  }

  async write(key: string, data: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    const Key = this.full(key);
    const { client, sdk } = await this.sdk();
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentType: opts.contentType ?? 'application/octet-stream' }));
    } catch (e) {
      throw this.fail(e, 'write', this.uri(key));
    }
  }

  async create(key: string, data: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    const Key = this.full(key);
    if (this.headFirst && (await this.exists(key))) {
      throw new StorageError('conflict', `create ${this.uri(key)}: already exists`);
    }
    const { client, sdk } = await this.sdk();
    try {
      await client.send(
        new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentType: opts.contentType ?? 'application/octet-stream', IfNoneMatch: '*' }),
      );
    } catch (e) {
      throw this.fail(e, 'create', this.uri(key));
    }
  }

  async read(key: string): Promise<Uint8Array> {
    const Key = this.full(key);
    const { client, sdk } = await this.sdk();
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!res.Body) throw new StorageError('unavailable', `read ${this.uri(key)}: empty response body`);
      return await res.Body.transformToByteArray();
    } catch (e) {
      throw this.fail(e, 'read', this.uri(key));
    }
  }

  async readVersioned(key: string): Promise<VersionedObject> {
    const Key = this.full(key);
    const { client, sdk } = await this.sdk();
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!res.Body) throw new StorageError('unavailable', `read ${this.uri(key)}: empty response body`);
      if (!res.ETag) throw new StorageError('unavailable', `read ${this.uri(key)}: the server sent no ETag`);
      return { data: await res.Body.transformToByteArray(), version: res.ETag };
    } catch (e) {
      throw this.fail(e, 'read', this.uri(key));
    }
  }

  async writeIfMatch(key: string, data: Uint8Array | string, version: string, opts: { contentType?: string } = {}): Promise<string> {
    const Key = this.full(key);
    const bare = version.replace(/^"|"$/g, '');
    const changed = () => new StorageError('conflict', `update ${this.uri(key)}: the object changed since it was read (version ${version})`);
    const { client, sdk } = await this.sdk();
    if (this.headFirst) {
      let current: string | undefined;
      try {
        current = (await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key }))).ETag;
      } catch (e) {
        const mapped = this.fail(e, 'stat', this.uri(key));
        if (mapped.kind === 'not_found') throw changed();
        throw mapped;
      }
      if (current?.replace(/^"|"$/g, '') !== bare) throw changed();
    }
    const put = async (form: 'quoted' | 'unquoted'): Promise<string> => {
      const res = await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: data,
          ContentType: opts.contentType ?? 'application/octet-stream',
          IfMatch: form === 'quoted' ? `"${bare}"` : bare,
        }),
      );
      this.ifMatchForm = form;
      return res.ETag ?? '';
    };
    const isPrecondition = (e: unknown) => {
      const err = asAws(e);
      return err.name === 'PreconditionFailed' || err.$metadata?.httpStatusCode === 412;
    };
    try {
      try {
        return await put(this.ifMatchForm ?? 'quoted');
      } catch (e) {
        if (!(isPrecondition(e) && this.ifMatchForm === null && this.endpoint)) throw e;
        return await put('unquoted'); // Ceph RGW compares the bare ETag
      }
    } catch (e) {
      const status = asAws(e).$metadata?.httpStatusCode;
      // 409 ConditionalRequestConflict: AWS's answer to a concurrent conditional write on the same key.
      if (isPrecondition(e) || status === 404 || status === 409) throw changed();
      throw this.fail(e, 'update', this.uri(key));
    }
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.full(key);
    const { client, sdk } = await this.sdk();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (e) {
      const mapped = this.fail(e, 'stat', this.uri(key));
      if (mapped.kind === 'not_found') return false;
      throw mapped;
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.full(key);
    const { client, sdk } = await this.sdk();
    try {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (e) {
      const mapped = this.fail(e, 'delete', this.uri(key));
      if (mapped.kind !== 'not_found') throw mapped;
    }
  }

  async list(opts: ListOptions = {}): Promise<ListPage> {
    const rel = validatePrefix(opts.prefix);
    const basePrefix = this.base ? `${this.base}/` : '';
    const { client, sdk } = await this.sdk();
    try {
      const res = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: basePrefix + rel,
          MaxKeys: Math.min(1000, Math.max(1, opts.limit ?? 1000)),
          ...(opts.pageToken ? { ContinuationToken: opts.pageToken } : {}),
          ...(!opts.pageToken && opts.startAfter ? { StartAfter: basePrefix + opts.startAfter } : {}),
        }),
      );
      const keys = (res.Contents ?? [])
        .map((o) => o.Key)
        .filter((k): k is string => typeof k === 'string' && k.startsWith(basePrefix))
        .map((k) => k.slice(basePrefix.length));
      return { keys, nextPageToken: res.IsTruncated && res.NextContinuationToken ? res.NextContinuationToken : null };
    } catch (e) {
      throw this.fail(e, 'list', `${this.location}/${rel}`);
    }
  }

  async ping(): Promise<void> {
    const { client, sdk } = await this.sdk();
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      const mapped = this.fail(e, 'open', this.location);
      if (mapped.kind === 'not_found') throw new StorageError('unavailable', `open ${this.location}: bucket "${this.bucket}" does not exist`, { cause: e });
      throw mapped;
    }
  }

  /** Closes the SDK's sockets (tests, CLI exit). */
  async close(): Promise<void> {
    if (this.clientPromise) (await this.clientPromise).client.destroy();
  }
}
