// Auto-update is off unless turned on (env or settings.json), and only a packaged app checks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { autoUpdateSetting, startAutoUpdate } from './updates.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'djp-updates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auto-update setting', () => {
  it('is off by default; settings.json turns it on; the environment wins; a bad value is named and ignored', () => {
    expect(autoUpdateSetting({}, dir)).toEqual({ enabled: false, source: 'default', note: null });
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ autoUpdate: true }));
    expect(autoUpdateSetting({}, dir)).toEqual({ enabled: true, source: 'settings', note: null });
    expect(autoUpdateSetting({ DJP_AUTO_UPDATE: 'off' }, dir)).toEqual({ enabled: false, source: 'env', note: null });
    expect(autoUpdateSetting({ DJP_AUTO_UPDATE: '1' }, path.join(dir, 'none'))).toMatchObject({ enabled: true, source: 'env' });
    const bad = autoUpdateSetting({ DJP_AUTO_UPDATE: 'maybe' }, path.join(dir, 'none'));
    expect(bad).toMatchObject({ enabled: false, source: 'default' });
    expect(bad.note).toContain('DJP_AUTO_UPDATE');
  });

  it('checks for updates only when on and packaged', async () => {
    let checks = 0;
    const load = async () => ({ checkForUpdatesAndNotify: async () => void checks++ });
    const logs: string[] = [];
    const log = (l: string) => logs.push(l);
    const on = { enabled: true, source: 'env' as const, note: null };
    expect(await startAutoUpdate({ setting: { ...on, enabled: false }, isPackaged: true, load, log })).toBe('off');
    expect(await startAutoUpdate({ setting: on, isPackaged: false, load, log })).toBe('not_packaged');
    expect(checks).toBe(0);
    expect(await startAutoUpdate({ setting: on, isPackaged: true, load, log })).toBe('started');
    expect(checks).toBe(1);
    const missing = async () => {
      throw new Error("Cannot find package 'electron-updater'");
    };
    expect(await startAutoUpdate({ setting: on, isPackaged: true, load: missing, log })).toBe('unavailable');
    expect(logs.at(-1)).toMatch(/auto-update: unavailable/);
  });
});
