// Local-disk StorageBackend.
//
// Writes are atomic: the data goes to a temp file in the SAME folder (".<name>.<random>.djp-tmp"),
// is fsync'ed, then renamed over the target (write) or hard-linked to it (create). rename(2) and
// link(2) are atomic within one filesystem, so a reader — or a process killed with SIGKILL mid-write —
// only ever sees the old file, the new file, or no file; never a torn one. link(2) fails with EEXIST
// when the target exists, which makes create() an atomic create-only write. Leftover temp files from a
// killed process are ignored by list() and never returned as keys.
//
// writeIfMatch() (compare-and-swap): the version of a file is the SHA-256 of its content. Writers of one
// key take a lock file beside it (".<name>.lock.djp-tmp", created with O_EXCL, so one holder at a time
// across processes), re-read the file, compare its hash with the expected version, and only then rename
// the new content over it. A lock older than LOCK_STALE_MS is left by a killed process and is broken.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';
import { StorageError, type ListOptions, type ListPage, type StorageBackend, type VersionedObject } from './backend.js';
import { joinKey, validateKey, validatePrefix } from './keys.js';

const TMP_SUFFIX = '.djp-tmp';
const DEFAULT_PAGE = 1000;
/** A compare-and-swap holds its lock for milliseconds; one this old was left by a killed process. */
const LOCK_STALE_MS = 10_000;
/** How long a writer waits for another one's lock before giving up (unavailable). */
const LOCK_WAIT_MS = 15_000;

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

type ErrnoError = NodeJS.ErrnoException;

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as ErrnoError).code : undefined;
}

function mapError(e: unknown, op: string, where: string): StorageError {
  if (e instanceof StorageError) return e;
  const code = errno(e);
  if ((op === 'write' || op === 'create') && (code === 'ENOENT' || code === 'ENOTDIR')) {
    // A missing/blocked parent folder on a write is a storage problem, not a missing key.
    return new StorageError('unavailable', `${op} ${where}: cannot create the folder (${code})`, { cause: e });
  }
  const detail = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'ENOENT':
    case 'EISDIR':
    case 'ENOTDIR':
      return new StorageError('not_found', `${op} ${where}: not found`, { cause: e });
    case 'EEXIST':
      return new StorageError('conflict', `${op} ${where}: already exists`, { cause: e });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StorageError('access_denied', `${op} ${where}: permission denied (${code})`, { cause: e });
    default:
      return new StorageError('unavailable', `${op} ${where}: ${detail}`, { cause: e });
  }
}

export interface LocalBackendOptions {
  /** fsync each file before it becomes visible (default true). */
  fsync?: boolean;
}

export class LocalBackend implements StorageBackend {
  readonly kind = 'local' as const;
  readonly location: string;
  private readonly root: string;
  private readonly fsync: boolean;
  private readonly madeDirs = new Set<string>();

  constructor(root: string, opts: LocalBackendOptions = {}) {
    this.root = path.resolve(root);
    this.location = this.root;
    this.fsync = opts.fsync ?? true;
  }

  uri(key: string): string {
    return path.join(this.root, ...validateKey(key).split('/'));
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await fs.mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** Writes `data` to a fsync'ed temp file beside `target` and returns its path. */
  private async writeTemp(target: string, data: Uint8Array | string): Promise<string> {
    const dir = path.dirname(target);
    await this.ensureDir(dir);
    const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TMP_SUFFIX}`);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(tmp, 'wx', 0o644);
      await handle.writeFile(data);
      if (this.fsync) await handle.datasync();
    } catch (e) {
      await handle?.close().catch(() => undefined);
      handle = undefined;
      await fs.unlink(tmp).catch(() => undefined);
      // The folder may have been removed since we cached it; retry once from scratch.
      if (errno(e) === 'ENOENT' && this.madeDirs.delete(dir)) return this.writeTemp(target, data);
      throw e;
    } finally {
      await handle?.close();
    }
    return tmp;
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    const target = this.uri(key);
    try {
      const tmp = await this.writeTemp(target, data);
      try {
        await fs.rename(tmp, target);
      } catch (e) {
        await fs.unlink(tmp).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      throw mapError(e, 'write', target);
    }
  }

  async create(key: string, data: Uint8Array | string): Promise<void> {
    const target = this.uri(key);
    try {
      const tmp = await this.writeTemp(target, data);
      try {
        await fs.link(tmp, target); // atomic; EEXIST when the target exists
      } catch (e) {
        const code = errno(e);
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
        // Filesystems without hard links (some network/FUSE mounts): create-only via O_EXCL. Still
        // create-only, but a reader could briefly see a partly written file on these filesystems.
        await fs.writeFile(target, data, { flag: 'wx', mode: 0o644 });
      } finally {
        await fs.unlink(tmp).catch(() => undefined);
      }
    } catch (e) {
      throw mapError(e, 'create', target);
    }
  }

  async read(key: string): Promise<Uint8Array> {
    const target = this.uri(key);
    try {
      return await fs.readFile(target);
    } catch (e) {
      throw mapError(e, 'read', target);
    }
  }

  async readVersioned(key: string): Promise<VersionedObject> {
    const data = await this.read(key);
    return { data, version: sha256(data) };
  }

  async writeIfMatch(key: string, data: Uint8Array | string, version: string): Promise<string> {
    const target = this.uri(key);
    const lock = path.join(path.dirname(target), `.${path.basename(target)}.lock${TMP_SUFFIX}`);
    try {
      await this.ensureDir(path.dirname(target));
      await this.acquire(lock, target);
    } catch (e) {
      throw mapError(e, 'update', target);
    }
    try {
      let current: Buffer;
      try {
        current = await fs.readFile(target);
      } catch (e) {
        if (errno(e) === 'ENOENT') throw new StorageError('conflict', `update ${target}: the file was deleted since it was read`);
        throw e;
      }
      if (sha256(current) !== version) throw new StorageError('conflict', `update ${target}: the file changed since it was read`);
      const tmp = await this.writeTemp(target, data);
      try {
        await fs.rename(tmp, target);
      } catch (e) {
        await fs.unlink(tmp).catch(() => undefined);
        throw e;
      }
      return sha256(data);
    } catch (e) {
      throw mapError(e, 'update', target);
    } finally {
      await fs.unlink(lock).catch(() => undefined);
    }
  }

  /** Takes the O_EXCL lock file of one key, waiting for another holder and breaking a stale lock. */
  private async acquire(lock: string, target: string): Promise<void> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const h = await fs.open(lock, 'wx', 0o644);
        await h.writeFile(`${process.pid}\n`);
        await h.close();
        return;
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      }
      const st = await fs.stat(lock).catch(() => null);
      if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) {
        await fs.unlink(lock).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new StorageError('unavailable', `update ${target}: another writer has held ${lock} for more than ${LOCK_WAIT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt * 2) * (0.5 + Math.random())));
    }
  }

  async exists(key: string): Promise<boolean> {
    const target = this.uri(key);
    try {
      return (await fs.stat(target)).isFile();
    } catch (e) {
      const mapped = mapError(e, 'stat', target);
      if (mapped.kind === 'not_found') return false;
      throw mapped;
    }
  }

  async delete(key: string): Promise<void> {
    const target = this.uri(key);
    try {
      await fs.unlink(target);
    } catch (e) {
      const mapped = mapError(e, 'delete', target);
      if (mapped.kind !== 'not_found') throw mapped;
    }
  }

  async list(opts: ListOptions = {}): Promise<ListPage> {
    const prefix = validatePrefix(opts.prefix);
    const limit = Math.max(1, opts.limit ?? DEFAULT_PAGE);
    // Walk only the deepest folder the prefix names in full (".index/82" → ".index").
    const slash = prefix.lastIndexOf('/');
    const baseRel = slash >= 0 ? prefix.slice(0, slash) : '';
    const keys: string[] = [];
    await this.walk(baseRel, prefix, keys);
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const after = [opts.startAfter, opts.pageToken].filter((s): s is string => !!s).sort().pop();
    let start = 0;
    if (after !== undefined) {
      // binary search for the first key > after
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((keys[mid] as string) <= after) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const page = keys.slice(start, start + limit);
    const more = start + limit < keys.length;
    return { keys: page, nextPageToken: more && page.length ? (page[page.length - 1] as string) : null };
  }

  private async walk(rel: string, prefix: string, out: string[]): Promise<void> {
    const dir = rel ? path.join(this.root, ...rel.split('/')) : this.root;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      const mapped = mapError(e, 'list', dir);
      if (mapped.kind === 'not_found') return;
      throw mapped;
    }
    const subdirs: string[] = [];
    for (const entry of entries) {
      const key = joinKey(rel, entry.name);
      if (entry.isDirectory()) {
        // Descend only where keys under it can still match the prefix.
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) subdirs.push(key);
      } else if (entry.isFile() && !entry.name.endsWith(TMP_SUFFIX) && key.startsWith(prefix)) {
        out.push(key);
      }
    }
    for (const sub of subdirs) await this.walk(sub, prefix, out);
  }

  async ping(): Promise<void> {
    try {
      await this.ensureDir(this.root);
      await fs.access(this.root, fsc.W_OK);
    } catch (e) {
      throw mapError(e, 'open', this.root);
    }
  }
}
