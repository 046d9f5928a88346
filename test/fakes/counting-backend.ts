// A StorageBackend wrapper that counts the requests made through it: LIST calls, reads (GET) with their
// keys and bytes. Used by the history tests (which segments a query reads) and bench/scale.ts (requests
// per query). Writes, deletes and pings pass through uncounted.
import type { ListOptions, ListPage, StorageBackend, VersionedObject } from '../../shared/storage/backend.js';

export class CountingBackend implements StorageBackend {
  lists = 0;
  reads = 0;
  bytes = 0;
  readKeys: string[] = [];
  constructor(readonly inner: StorageBackend) {}
  get kind() {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }
  uri(k: string) {
    return this.inner.uri(k);
  }
  write(k: string, d: Uint8Array | string, o?: { contentType?: string }) {
    return this.inner.write(k, d, o);
  }
  create(k: string, d: Uint8Array | string, o?: { contentType?: string }) {
    return this.inner.create(k, d, o);
  }
  async read(k: string) {
    this.reads++;
    this.readKeys.push(k);
    const d = await this.inner.read(k);
    this.bytes += d.byteLength;
    return d;
  }
  async readVersioned(k: string): Promise<VersionedObject> {
    this.reads++;
    this.readKeys.push(k);
    const v = await this.inner.readVersioned(k);
    this.bytes += v.data.byteLength;
    return v;
  }
  writeIfMatch(k: string, d: Uint8Array | string, v: string, o?: { contentType?: string }) {
    return this.inner.writeIfMatch(k, d, v, o);
  }
  exists(k: string) {
    return this.inner.exists(k);
  }
  delete(k: string) {
    return this.inner.delete(k);
  }
  list(o?: ListOptions): Promise<ListPage> {
    this.lists++;
    return this.inner.list(o);
  }
  ping() {
    return this.inner.ping();
  }
  reset() {
    this.lists = 0;
    this.reads = 0;
    this.bytes = 0;
    this.readKeys = [];
  }
}
