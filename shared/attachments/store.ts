// Attachments in the run store's backend (local folder, S3 or GCS), beside the artifacts:
//
//   attachments/sha256/<sha256 hex>     the bytes, content-addressed: the same file uploaded twice is
//                                       stored once (create-only; an existing blob is our own)
//   attachments/meta/<id>.json          {id, sha256, name, bytes, media_type}; id is derived from the
//                                       content hash, the name and the type, so re-uploads give the same id
//
// A cloud write that fails (after the SDK's retries) keeps the file in the local outbox
// (<outbox>/attachments/…, same keys) and the upload still succeeds; reads look there first and
// sync() pushes it, removing the local copy only once the remote write is confirmed. Nothing lost.
import { createHash } from 'node:crypto';
import { Attachment, AttachmentId, DjpError, parseOrInvalid, type AttachmentMediaType } from '../api/index.js';
import { toDjpError } from '../artifacts/store.js';
import { silentLogger, type StoreLogger } from '../artifacts/logger.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';
import { LocalBackend } from '../storage/local.js';
import { attachmentLimits, mb, type AttachmentLimits } from './limits.js';
import { sniffMediaType } from './sniff.js';

export const ATTACHMENTS_PREFIX = 'attachments/';
export const blobKey = (sha256: string) => `${ATTACHMENTS_PREFIX}sha256/${sha256}`;
export const metaKey = (id: string) => `${ATTACHMENTS_PREFIX}meta/${id}.json`;
const MAX_NAME = 255;

export interface AttachmentStoreOptions {
  /** Local outbox folder for failed cloud writes (the run store's); null: errors are thrown. */
  outboxDir?: string | null;
  limits?: AttachmentLimits;
  logger?: StoreLogger;
}

export interface PutResult {
  attachment: Attachment;
  /** Set when the store failed and the file waits in the local outbox. */
  outbox: { path: string; reason: string } | null;
}

/** A file name as given, reduced to its last path segment; refused when empty or unprintable. */
export function cleanName(raw: string): string {
  const name = raw.split(/[\\/]/).pop()!.trim();
  // eslint-disable-next-line no-control-regex
  if (!name || name === '.' || name === '..' || /[\u0000-\u001f\u007f]/.test(name)) throw new DjpError('invalid', `file name: ${JSON.stringify(raw.slice(0, 80))} is not a usable file name`, 'file_name');
  if (name.length > MAX_NAME) throw new DjpError('invalid', `file name: longer than ${MAX_NAME} characters`, 'file_name');
  return name;
}

export function attachmentIdOf(sha256: string, name: string, media: AttachmentMediaType): string {
  return createHash('sha256').update(`${sha256}\n${name}\n${media}`).digest('hex').slice(0, 32);
}

const retryable = (e: unknown) => e instanceof StorageError && (e.kind === 'unavailable' || e.kind === 'access_denied');

export class AttachmentStore {
  readonly limits: AttachmentLimits;
  private readonly outbox: LocalBackend | null;
  private readonly logger: StoreLogger;

  constructor(
    private readonly backend: StorageBackend,
    opts: AttachmentStoreOptions = {},
  ) {
    this.limits = opts.limits ?? attachmentLimits();
    this.outbox = opts.outboxDir ? new LocalBackend(opts.outboxDir) : null;
    this.logger = opts.logger ?? silentLogger;
  }

  get location(): string {
    return this.backend.location;
  }

  /** Checks, sniffs, hashes and stores one file. Throws too_large (413), unsupported_type (415), invalid. */
  async put(rawName: string, data: Uint8Array): Promise<PutResult> {
    const name = cleanName(rawName);
    if (data.byteLength > this.limits.fileBytes)
      throw new DjpError('too_large', `${name}: ${mb(data.byteLength)} is over the per-file limit of ${mb(this.limits.fileBytes)} (DJP_ATTACHMENT_MAX_BYTES)`, 'file');
    if (data.byteLength === 0) throw new DjpError('invalid', `${name}: the file is empty`, 'file');
    const media_type = sniffMediaType(name, data);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const attachment: Attachment = { id: attachmentIdOf(sha256, name, media_type), sha256, name, bytes: data.byteLength, media_type };
    const meta = `${JSON.stringify(attachment)}\n`;
    try {
      await this.createBlob(this.backend, sha256, data);
      await this.backend.write(metaKey(attachment.id), meta, { contentType: 'application/json' });
      return { attachment, outbox: null };
    } catch (e) {
      if (!this.outbox || !retryable(e)) throw toDjpError(e, `store attachment ${name} in ${this.location}`);
      const reason = `store attachment ${name} in ${this.location} failed: ${(e as Error).message}`;
      await this.createBlob(this.outbox, sha256, data);
      await this.outbox.write(metaKey(attachment.id), meta);
      const path = this.outbox.uri(metaKey(attachment.id));
      this.logger.warn({ attachment: attachment.id, outbox: path, reason }, 'cloud store write failed; attachment kept in the local outbox');
      return { attachment, outbox: { path, reason } };
    }
  }

  private async createBlob(b: StorageBackend, sha256: string, data: Uint8Array): Promise<void> {
    try {
      await b.create(blobKey(sha256), data, { contentType: 'application/octet-stream' });
    } catch (e) {
      if (!(e instanceof StorageError && e.kind === 'conflict')) throw e;
      // Content-addressed: an existing blob with this name holds these bytes (checked on read).
    }
  }

  private async readFrom(key: string): Promise<Uint8Array> {
    if (this.outbox) {
      try {
        return await this.outbox.read(key);
      } catch (e) {
        if (!(e instanceof StorageError && e.kind === 'not_found')) throw e;
      }
    }
    return this.backend.read(key);
  }

  /** The attachment's record; not_found naming `field` when there is none. */
  async get(id: string, field = 'id'): Promise<Attachment> {
    parseOrInvalid(AttachmentId, id, { field, label: `${field}: ${JSON.stringify(String(id).slice(0, 40))}` });
    let raw: Uint8Array;
    try {
      raw = await this.readFrom(metaKey(id));
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'not_found') throw new DjpError('not_found', `${field}: attachment ${id} not found in ${this.location}`, field);
      throw toDjpError(e, `read attachment ${id} from ${this.location}`);
    }
    try {
      return Attachment.parse(JSON.parse(Buffer.from(raw).toString('utf8')));
    } catch (e) {
      throw new DjpError('internal', `attachment ${id} in ${this.location} has a corrupt record: ${(e as Error).message}`);
    }
  }

  /** The record and the bytes (checked against the sha256). */
  async read(id: string, field = 'id'): Promise<{ attachment: Attachment; data: Uint8Array }> {
    const attachment = await this.get(id, field);
    let data: Uint8Array;
    try {
      data = await this.readFrom(blobKey(attachment.sha256));
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'not_found') throw new DjpError('not_found', `${field}: the content of attachment ${id} (${attachment.name}) is missing from ${this.location}`, field);
      throw toDjpError(e, `read attachment ${id} from ${this.location}`);
    }
    const sha = createHash('sha256').update(data).digest('hex');
    if (sha !== attachment.sha256) throw new DjpError('internal', `attachment ${id} (${attachment.name}) in ${this.location} does not match its sha256`);
    return { attachment, data };
  }

  private async pending(): Promise<string[]> {
    if (!this.outbox) return [];
    const keys: string[] = [];
    let token: string | null = null;
    do {
      const page = await this.outbox.list({ prefix: `${ATTACHMENTS_PREFIX}meta/`, limit: 1000, ...(token ? { pageToken: token } : {}) });
      keys.push(...page.keys);
      token = page.nextPageToken;
    } while (token);
    return keys;
  }

  async outboxCount(): Promise<number> {
    return (await this.pending()).length;
  }

  /** Pushes attachments waiting in the outbox; a local copy is removed only after the remote write. */
  async sync(): Promise<{ pushed: number; failed: number; remaining: number }> {
    let pushed = 0;
    let failed = 0;
    for (const key of await this.pending()) {
      try {
        const meta = await this.outbox!.read(key);
        const att = Attachment.parse(JSON.parse(Buffer.from(meta).toString('utf8')));
        const data = await this.outbox!.read(blobKey(att.sha256));
        await this.createBlob(this.backend, att.sha256, data);
        await this.backend.write(key, meta, { contentType: 'application/json' });
        await this.outbox!.delete(key);
        // The blob may be shared by another pending record (same bytes, other name): keep it then.
        const others = await this.pending();
        const still = await Promise.all(others.map(async (k) => Attachment.parse(JSON.parse(Buffer.from(await this.outbox!.read(k)).toString('utf8'))).sha256 === att.sha256));
        if (!still.some(Boolean)) await this.outbox!.delete(blobKey(att.sha256));
        pushed++;
      } catch (e) {
        failed++;
        this.logger.warn({ key, err: (e as Error).message }, 'outbox: attachment push failed; kept');
      }
    }
    return { pushed, failed, remaining: await this.outboxCount() };
  }
}
