import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDotEnv } from '../../shared/config/env.js';

describe('.env loading', () => {
  const keys = ['DJP_TEST_FROM_FILE', 'DJP_TEST_ALREADY_SET'];
  afterEach(() => {
    for (const k of keys) delete process.env[k];
  });
  it('loads .env without overriding the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'DJP_TEST_FROM_FILE=file\nDJP_TEST_ALREADY_SET=file\n');
    process.env.DJP_TEST_ALREADY_SET = 'env';
    expect(loadDotEnv(file)).toEqual({ loaded: true, path: file });
    expect(process.env.DJP_TEST_FROM_FILE).toBe('file');
    expect(process.env.DJP_TEST_ALREADY_SET).toBe('env');
    expect(loadDotEnv(join(dir, 'missing.env')).loaded).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
