// A StorageBackend wrapper that fails writes deterministically (seeded RNG), for fault tests.
// mode 'before': the write never reaches the store. mode 'after': the write lands but the caller
// sees an error (a lost response) — the case where a retry meets its own earlier write.
import { mulberry32 } from '../../shared/djp/rng.js';
import { StorageError, type ListOptions, type ListPage, type StorageBackend, type VersionedObject } from '../../shared/storage/backend.js';

/** Deterministic RNG for fault injection: the judge's mulberry32 (shared/djp/rng.ts). */
export const seededRandom = mulberry32;

export class FaultyBackend implements StorageBackend {
  readonly kind: StorageBackend['kind'];
  readonly location: string;
  failures = 0;
  enabled = true;
  private readonly rand: () => number;

  constructor(
    private readonly inner: StorageBackend,
    private readonly rate: number,
    seed: number,
  ) {
    this.kind = inner.kind;
    this.location = inner.location;
    this.rand = seededRandom(seed);
  }

  private async maybeFail<T>(op: () => Promise<T>, key: string): Promise<T> {
    const r = this.rand();
    if (!this.enabled || r >= this.rate) return op();
    this.failures++;
    if (r < this.rate / 2) await op(); // landed, but the response was lost
    throw new StorageError('unavailable', `injected failure writing ${this.inner.uri(key)}`);
  }

  uri(key: string): string {
    return this.inner.uri(key);
  }
  write(key: string, data: Uint8Array | string, opts?: { contentType?: string }): Promise<void> {
    return this.maybeFail(() => this.inner.write(key, data, opts), key);
  }
  create(key: string, data: Uint8Array | string, opts?: { contentType?: string }): Promise<void> {
    return this.maybeFail(() => this.inner.create(key, data, opts), key);
  }
  read(key: string): Promise<Uint8Array> {
    return this.inner.read(key);
  }
  readVersioned(key: string): Promise<VersionedObject> {
    return this.inner.readVersioned(key);
  }
  writeIfMatch(key: string, data: Uint8Array | string, version: string, opts?: { contentType?: string }): Promise<string> {
    return this.maybeFail(() => this.inner.writeIfMatch(key, data, version, opts), key);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  list(opts?: ListOptions): Promise<ListPage> {
    return this.inner.list(opts);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
}
