// Auto-update from GitHub Releases (electron-updater, an optional dependency), behind a setting that is
// OFF unless the user turns it on: DJP_AUTO_UPDATE=1 in the environment, or {"autoUpdate": true} in
// settings.json in the user-data folder (the environment wins). Only a packaged app updates itself (a
// checkout has no release to compare with). Plain Node: tested in main/updates.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface AutoUpdateSetting {
  enabled: boolean;
  source: 'env' | 'settings' | 'default';
  /** Why a value was ignored (e.g. DJP_AUTO_UPDATE=maybe), for the log. */
  note: string | null;
}

const ON = new Set(['1', 'true', 'on', 'yes']);
const OFF = new Set(['0', 'false', 'off', 'no']);

export function autoUpdateSetting(env: Record<string, string | undefined>, userDataDir: string): AutoUpdateSetting {
  const raw = env.DJP_AUTO_UPDATE?.trim().toLowerCase();
  let note: string | null = null;
  if (raw) {
    if (ON.has(raw)) return { enabled: true, source: 'env', note };
    if (OFF.has(raw)) return { enabled: false, source: 'env', note };
    note = `DJP_AUTO_UPDATE must be 1/0, true/false, on/off (got "${env.DJP_AUTO_UPDATE}"); ignored`;
  }
  try {
    const s = JSON.parse(readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { autoUpdate?: unknown };
    if (typeof s.autoUpdate === 'boolean') return { enabled: s.autoUpdate, source: 'settings', note };
  } catch {
    /* no settings file: the default */
  }
  return { enabled: false, source: 'default', note };
}

/** The part of electron-updater's autoUpdater used here. */
export interface UpdaterLike {
  checkForUpdatesAndNotify(): Promise<unknown>;
}

export type UpdateStart = 'off' | 'not_packaged' | 'started' | 'unavailable';

export async function startAutoUpdate(opts: {
  setting: AutoUpdateSetting;
  isPackaged: boolean;
  load?: () => Promise<UpdaterLike>;
  log?: (line: string) => void;
}): Promise<UpdateStart> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (opts.setting.note) log(`auto-update: ${opts.setting.note}`);
  if (!opts.setting.enabled) return 'off';
  if (!opts.isPackaged) {
    log('auto-update: on, but this is not a packaged app; nothing to update');
    return 'not_packaged';
  }
  const load =
    opts.load ??
    (async () => {
      const name = 'electron-updater'; // optional dependency: not a literal, so builds do not need it
      const m = (await import(name)) as { autoUpdater?: UpdaterLike; default?: { autoUpdater?: UpdaterLike } };
      const u = m.autoUpdater ?? m.default?.autoUpdater;
      if (!u) throw new Error('electron-updater has no autoUpdater');
      return u;
    });
  try {
    const updater = await load();
    // Downloads in the background and tells the user when an update is ready to install on quit.
    void updater.checkForUpdatesAndNotify().catch((e: unknown) => log(`auto-update: check failed: ${e instanceof Error ? e.message : String(e)}`));
    return 'started';
  } catch (e) {
    log(`auto-update: unavailable (${e instanceof Error ? e.message : String(e)})`);
    return 'unavailable';
  }
}
