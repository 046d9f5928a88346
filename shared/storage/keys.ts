// Storage key validation, shared by every backend and run before any I/O.
// A key is a relative, '/'-separated path such as "01J…XYZ.json" or ".index/8234…-p-o.json".
import { StorageError } from './backend.js';

const MAX_KEY_BYTES = 1024; // S3 and GCS both cap object names at 1024 bytes (UTF-8)

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function show(key: string): string {
  // JSON.stringify escapes control characters so the message itself stays printable.
  return JSON.stringify(key.length > 120 ? `${key.slice(0, 120)}…` : key);
}

function fail(what: string, key: string, why: string): never {
  throw new StorageError('invalid_key', `invalid storage ${what} ${show(key)}: ${why}`);
}

function check(what: 'key' | 'prefix', key: string, allowTrailingSlash: boolean): void {
  if (typeof key !== 'string') fail(what, String(key), 'must be a string');
  if (key.length === 0) fail(what, key, 'must not be empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) fail(what, key, `is longer than ${MAX_KEY_BYTES} bytes`);
  if (CONTROL.test(key)) fail(what, key, 'contains a NUL or control character');
  if (key.includes('\\')) fail(what, key, 'contains a backslash (use "/" to separate folders)');
  if (key.startsWith('/')) fail(what, key, 'is an absolute path (keys are relative to the store)');
  if (/^[A-Za-z]:/.test(key)) fail(what, key, 'starts with a drive letter (keys are relative to the store)');
  const body = allowTrailingSlash && key.endsWith('/') ? key.slice(0, -1) : key;
  for (const segment of body.split('/')) {
    if (segment === '') fail(what, key, 'has an empty path segment ("//" or a trailing "/")');
    if (segment === '..') fail(what, key, 'contains a ".." segment (path traversal)');
    if (segment === '.') fail(what, key, 'contains a "." segment');
  }
}

/** Throws StorageError('invalid_key') unless `key` is a safe relative object key. */
export function validateKey(key: string): string {
  check('key', key, false);
  return key;
}

/** Like validateKey, for list prefixes: may be empty and may end in "/". */
export function validatePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  check('prefix', prefix, true);
  return prefix;
}

/** Joins a backend's base prefix ("" or "a/b") and a validated key. */
export function joinKey(base: string, key: string): string {
  return base ? `${base}/${key}` : key;
}
