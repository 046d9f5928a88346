// A local test server for the subset of the Google Cloud Storage JSON API that @google-cloud/storage
// v7 uses for object storage, so tests drive the REAL client through STORAGE_EMULATOR_HOST:
//
//   uploads   POST /upload/storage/v1/b/:bucket/o  uploadType=media | multipart | resumable
//             PUT  <session URI>                   resumable chunks (Content-Range), status queries
//   objects   GET  [/storage/v1]/b/:bucket/o/:name            metadata
//             GET  [/storage/v1]/b/:bucket/o/:name?alt=media  content (x-goog-hash crc32c+md5)
//             DELETE [/storage/v1]/b/:bucket/o/:name
//             GET  [/storage/v1]/b/:bucket/o   list: prefix, delimiter, startOffset, endOffset,
//                                             maxResults, pageToken → items, prefixes, nextPageToken
//   buckets   GET [/storage/v1]/b/:bucket, POST [/storage/v1]/b (create)
//
// Generation preconditions: ifGenerationMatch (0 = "must not exist"), ifGenerationNotMatch,
// ifMetagenerationMatch on uploads, reads and deletes → 412 conditionNotMet, as GCS does.
// ("/storage/v1" is optional because the client uses STORAGE_EMULATOR_HOST verbatim as its base URL.)
// Objects live in memory. `failNext(n, status)` injects server errors for fault tests.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRC32C } from '@google-cloud/storage';

interface StoredObject {
  name: string;
  data: Buffer;
  contentType: string;
  generation: number;
  metageneration: number;
  created: string;
  updated: string;
  metadata: Record<string, string>;
}

interface ResumableSession {
  bucket: string;
  name: string;
  contentType: string;
  metadata: Record<string, string>;
  query: URLSearchParams;
  chunks: Buffer[];
  received: number;
  done: StoredObject | null;
}

export interface FakeGcs {
  /** http://127.0.0.1:<port> — set as STORAGE_EMULATOR_HOST. */
  endpoint: string;
  /** The stored objects of a bucket (name → content). */
  objects(bucket: string): Map<string, Buffer>;
  /** The next `n` requests fail with `status` (default 503). */
  failNext(n: number, status?: number): void;
  /** Request log: "METHOD path?query". */
  requests: string[];
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

function crc32c(data: Buffer): string {
  const c = new CRC32C();
  c.update(data);
  return c.toString();
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Splits a multipart/related body into its parts (headers + raw bytes). */
function parseMultipart(body: Buffer, contentType: string): Array<{ headers: Record<string, string>; body: Buffer }> {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!m) throw new HttpError(400, 'invalid', 'multipart upload without a boundary');
  const delimiter = Buffer.from(`--${m[1]}`);
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new HttpError(400, 'invalid', 'unterminated multipart body');
    let part = body.subarray(start, next);
    if (part.subarray(part.length - 2).toString() === '\r\n') part = part.subarray(0, part.length - 2);
    const sep = part.indexOf('\r\n\r\n');
    const headerText = sep >= 0 ? part.subarray(0, sep).toString('utf8') : '';
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: sep >= 0 ? part.subarray(sep + 4) : Buffer.alloc(0) });
    pos = next;
  }
  return parts;
}

export async function startFakeGcs(opts: { buckets?: string[] } = {}): Promise<FakeGcs> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  for (const b of opts.buckets ?? ['djp-test']) buckets.set(b, new Map());
  const sessions = new Map<string, ResumableSession>();
  const requests: string[] = [];
  let generation = 1_700_000_000_000_000;
  let faults: { n: number; status: number } = { n: 0, status: 503 };
  let origin = '';

  const bucketOf = (name: string): Map<string, StoredObject> => {
    const b = buckets.get(name);
    if (!b) throw new HttpError(404, 'notFound', `The specified bucket does not exist: ${name}`);
    return b;
  };

  const resource = (bucket: string, o: StoredObject): Record<string, unknown> => ({
    kind: 'storage#object',
    id: `${bucket}/${o.name}/${o.generation}`,
    selfLink: `${origin}/storage/v1/b/${bucket}/o/${encodeURIComponent(o.name)}`,
    mediaLink: `${origin}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(o.name)}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket,
    generation: String(o.generation),
    metageneration: String(o.metageneration),
    contentType: o.contentType,
    storageClass: 'STANDARD',
    size: String(o.data.length),
    md5Hash: md5(o.data),
    crc32c: crc32c(o.data),
    etag: md5(Buffer.from(`${o.name}:${o.generation}`)),
    timeCreated: o.created,
    updated: o.updated,
    ...(Object.keys(o.metadata).length ? { metadata: o.metadata } : {}),
  });

  /** Generation preconditions, checked against the current object (or its absence). */
  const checkPreconditions = (q: URLSearchParams, current: StoredObject | undefined): void => {
    const gm = q.get('ifGenerationMatch');
    if (gm !== null) {
      const want = Number(gm);
      if (want === 0 ? current !== undefined : current?.generation !== want) {
        throw new HttpError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
      }
    }
    const gnm = q.get('ifGenerationNotMatch');
    if (gnm !== null && (Number(gnm) === 0 ? current === undefined : current?.generation === Number(gnm))) {
      throw new HttpError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    }
    const mgm = q.get('ifMetagenerationMatch');
    if (mgm !== null && current?.metageneration !== Number(mgm)) {
      throw new HttpError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    }
  };

  /** Commits an upload atomically: preconditions and the write happen in one synchronous step. */
  const commit = (bucket: string, name: string, data: Buffer, contentType: string, metadata: Record<string, string>, q: URLSearchParams): StoredObject => {
    if (!name) throw new HttpError(400, 'required', 'Required parameter: name');
    const objects = bucketOf(bucket);
    const current = objects.get(name);
    checkPreconditions(q, current);
    const now = new Date().toISOString();
    const o: StoredObject = {
      name,
      data,
      contentType: contentType || 'application/octet-stream',
      generation: ++generation,
      metageneration: 1,
      created: now,
      updated: now,
      metadata,
    };
    objects.set(name, o);
    return o;
  };

  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search}`);
    const body = await readBody(req);
    if (faults.n > 0) {
      faults.n--;
      throw new HttpError(faults.status, 'backendError', 'Injected failure');
    }

    // --- uploads ------------------------------------------------------------------------------
    let m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (m) {
      const bucket = decodeURIComponent(m[1] as string);
      bucketOf(bucket);
      const uploadType = q.get('uploadType') ?? 'media';
      if (method === 'POST' && uploadType === 'media') {
        const o = commit(bucket, q.get('name') ?? '', body, req.headers['content-type'] ?? '', {}, q);
        return json(res, 200, resource(bucket, o));
      }
      if (method === 'POST' && uploadType === 'multipart') {
        const parts = parseMultipart(body, req.headers['content-type'] ?? '');
        if (parts.length !== 2) throw new HttpError(400, 'invalid', `multipart upload needs 2 parts, got ${parts.length}`);
        const meta = JSON.parse((parts[0] as { body: Buffer }).body.toString('utf8') || '{}') as {
          name?: string;
          contentType?: string;
          metadata?: Record<string, string>;
        };
        const media = parts[1] as { headers: Record<string, string>; body: Buffer };
        const o = commit(bucket, q.get('name') ?? meta.name ?? '', media.body, meta.contentType ?? media.headers['content-type'] ?? '', meta.metadata ?? {}, q);
        return json(res, 200, resource(bucket, o));
      }
      if (method === 'POST' && uploadType === 'resumable') {
        const meta = (body.length ? JSON.parse(body.toString('utf8')) : {}) as { name?: string; contentType?: string; metadata?: Record<string, string> };
        const name = q.get('name') ?? meta.name ?? '';
        if (!name) throw new HttpError(400, 'required', 'Required parameter: name');
        checkPreconditions(q, bucketOf(bucket).get(name));
        const id = randomBytes(12).toString('hex');
        sessions.set(id, {
          bucket,
          name,
          contentType: meta.contentType ?? (req.headers['x-upload-content-type'] as string | undefined) ?? '',
          metadata: meta.metadata ?? {},
          query: new URLSearchParams(q),
          chunks: [],
          received: 0,
          done: null,
        });
        res.writeHead(200, { location: `${origin}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&upload_id=${id}`, 'content-length': 0 });
        return void res.end();
      }
      if (method === 'PUT' && uploadType === 'resumable') {
        const s = sessions.get(q.get('upload_id') ?? '');
        if (!s) throw new HttpError(404, 'notFound', 'No such upload session');
        if (s.done) return json(res, 200, resource(s.bucket, s.done));
        const range = (req.headers['content-range'] as string | undefined) ?? `bytes */${body.length}`;
        const cr = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(range);
        if (!cr) throw new HttpError(400, 'invalid', `bad Content-Range: ${range}`);
        if (cr[1] !== undefined) {
          const start = Number(cr[1]);
          if (start !== s.received) throw new HttpError(400, 'invalid', `chunk starts at ${start}, expected ${s.received}`);
          s.chunks.push(body);
          s.received += body.length;
        }
        const total = cr[3] === '*' ? null : Number(cr[3]);
        if (total !== null && s.received >= total) {
          s.done = commit(s.bucket, s.name, Buffer.concat(s.chunks), s.contentType, s.metadata, s.query);
          return json(res, 200, resource(s.bucket, s.done));
        }
        res.writeHead(308, { ...(s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {}), 'content-length': 0 });
        return void res.end();
      }
      throw new HttpError(400, 'invalid', `unsupported upload: ${method} uploadType=${uploadType}`);
    }

    // --- JSON API -----------------------------------------------------------------------------
    const path = url.pathname.replace(/^\/storage\/v1(?=\/)/, '').replace(/^\/download\/storage\/v1(?=\/)/, '');
    if (path === '/b' && method === 'POST') {
      const { name } = JSON.parse(body.toString('utf8') || '{}') as { name?: string };
      if (!name) throw new HttpError(400, 'required', 'Required parameter: name');
      if (buckets.has(name)) throw new HttpError(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.');
      buckets.set(name, new Map());
      return json(res, 200, { kind: 'storage#bucket', id: name, name });
    }
    m = /^\/b\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const name = decodeURIComponent(m[1] as string);
      bucketOf(name);
      return json(res, 200, { kind: 'storage#bucket', id: name, name, location: 'US', storageClass: 'STANDARD' });
    }
    m = /^\/b\/([^/]+)\/o$/.exec(path);
    if (m && method === 'GET') {
      const objects = bucketOf(decodeURIComponent(m[1] as string));
      const prefix = q.get('prefix') ?? '';
      const delimiter = q.get('delimiter') ?? '';
      const startOffset = q.get('startOffset');
      const endOffset = q.get('endOffset');
      const max = Math.min(1000, Math.max(1, Number(q.get('maxResults') ?? 1000) || 1000));
      const after = q.get('pageToken') ? Buffer.from(q.get('pageToken') as string, 'base64url').toString('utf8') : null;
      const names = [...objects.keys()]
        .filter((n) => n.startsWith(prefix))
        .filter((n) => startOffset === null || n >= startOffset)
        .filter((n) => endOffset === null || n < endOffset)
        .sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
      const items: Record<string, unknown>[] = [];
      const prefixes = new Set<string>();
      let last: string | null = null;
      let truncated = false;
      for (const n of names) {
        if (after !== null && n <= after) continue;
        const rest = n.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        if (items.length + prefixes.size >= max) {
          truncated = true;
          break;
        }
        if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + delimiter.length));
        else items.push(resource(decodeURIComponent(m[1] as string), objects.get(n) as StoredObject));
        last = n;
      }
      return json(res, 200, {
        kind: 'storage#objects',
        ...(items.length ? { items } : {}),
        ...(prefixes.size ? { prefixes: [...prefixes] } : {}),
        ...(truncated && last !== null ? { nextPageToken: Buffer.from(last).toString('base64url') } : {}),
      });
    }
    m = /^\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    if (m) {
      const bucket = decodeURIComponent(m[1] as string);
      const name = decodeURIComponent(m[2] as string);
      const objects = bucketOf(bucket);
      const o = objects.get(name);
      if (method === 'GET') {
        if (!o) throw new HttpError(404, 'notFound', `No such object: ${bucket}/${name}`);
        checkPreconditions(q, o);
        if (q.get('alt') === 'media') {
          res.writeHead(200, {
            'content-type': o.contentType,
            'content-length': o.data.length,
            'x-goog-hash': `crc32c=${crc32c(o.data)},md5=${md5(o.data)}`,
            'x-goog-stored-content-encoding': 'identity',
            'x-goog-generation': String(o.generation),
            'x-goog-metageneration': String(o.metageneration),
          });
          return void res.end(o.data);
        }
        return json(res, 200, resource(bucket, o));
      }
      if (method === 'DELETE') {
        if (!o) throw new HttpError(404, 'notFound', `No such object: ${bucket}/${name}`);
        checkPreconditions(q, o);
        objects.delete(name);
        res.writeHead(204);
        return void res.end();
      }
    }
    throw new HttpError(404, 'notFound', `fake GCS: no route for ${method} ${url.pathname}`);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, 'backendError', e instanceof Error ? e.message : String(e));
      if (res.headersSent) return void res.destroy();
      json(res, err.status, { error: { code: err.status, message: err.message, errors: [{ domain: 'global', reason: err.reason, message: err.message }] } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint: origin,
    requests,
    objects(bucket) {
      return new Map([...bucketOf(bucket)].map(([k, v]) => [k, v.data]));
    },
    failNext(n, status = 503) {
      faults = { n, status };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
