// A StorageBackend wrapper that fails writes deterministically (seeded RNG), for fault tests.
// mode 'before': the write never reaches the store. mode 'after': the write lands but the caller
// sees an error (a lost response) — the case where a retry meets its own earlier write.
import { StorageError, type ListOptions, type ListPage, type StorageBackend } from '../../shared/storage/backend.js';

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

  private async maybeFail(op: () => Promise<void>, key: string): Promise<void> {
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
