// The template catalog: built-ins (gallery.ts), an optional folder (DJP_TEMPLATES_DIR) and team
// templates in the run store, under templates/ in RUNS_DIR through the same StorageBackend — so a
// team on S3 or GCS shares them. Store layout:
//
//   templates/<id>/v000001.json   one immutable version (the template + saved_at/saved_by), create-only
//
// Versions of one id are numbered across every source: a built-in is version 1, a team's edit of it
// saved to the store becomes version 2, and so on. The latest is used unless a version is named. A
// version, once saved, is never overwritten (create-only writes; a concurrent save of the same number
// gets a conflict and takes the next one). Duplicates of one (id, version) in two sources keep the
// first in the order built-in, store, folder; the other is reported under `problems`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DjpError, ListTemplatesQuery, parseOrInvalid, type Template, type TemplateList, type TemplateRecord, type TemplateSource } from '../api/index.js';
import { mapLimit } from '../artifacts/store.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';
import { BUILTIN_TEMPLATES } from './gallery.js';
import { checkTemplate, invalidTemplate, parseTemplate, parseTemplateDocument } from './validate.js';

export const TEMPLATES_PREFIX = 'templates/';
const KEY_RE = /^templates\/([a-z0-9][a-z0-9-]{0,63})\/v(\d{6})\.json$/;
const FILE_RE = /\.(ya?ml|json)$/i;
const SAVE_ATTEMPTS = 25;

export function templateKey(id: string, version: number): string {
  return `${TEMPLATES_PREFIX}${id}/v${String(version).padStart(6, '0')}.json`;
}

interface Entry {
  template: Template;
  source: TemplateSource;
  saved_at: string | null;
  saved_by: string | null;
}

export interface TemplateCatalog {
  list(query?: ListTemplatesQuery): Promise<TemplateList>;
  /** The latest version unless `version` is given; DjpError('not_found') naming the id or version. */
  get(id: string, version?: number): Promise<TemplateRecord>;
  /** Validates and saves as the next version of its id; returns what was saved. */
  save(document: unknown, savedBy: string): Promise<TemplateRecord>;
  /** Where saved templates go (the store location + /templates). */
  readonly location: string | null;
}

export interface TemplateCatalogOptions {
  /** The run store's backend; null: built-ins and folder only (save refuses). */
  backend: StorageBackend | null;
  /** DJP_TEMPLATES_DIR: a folder of .yaml/.yml/.json templates (read-only here). */
  dir?: string | null;
  builtins?: readonly unknown[];
  now?: () => Date;
}

const storeError = (e: unknown, what: string): DjpError => {
  if (e instanceof DjpError) return e;
  if (e instanceof StorageError) return new DjpError(e.kind === 'not_found' ? 'not_found' : e.kind === 'conflict' ? 'conflict' : 'unavailable', `${what}: ${e.message}`, undefined, { cause: e });
  return new DjpError('internal', `${what}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
};

/** Words of `q` that must all occur in the title, description, tags or body. */
function matches(t: Template, q: string | undefined, tag: string | undefined): boolean {
  if (tag && !t.tags.includes(tag.trim().toLowerCase())) return false;
  if (!q?.trim()) return true;
  const hay = [t.id, t.title, t.description, t.tags.join(' '), t.body].join('\n').toLowerCase();
  return q.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

export function createTemplateCatalog(opts: TemplateCatalogOptions): TemplateCatalog {
  const backend = opts.backend;
  const now = opts.now ?? (() => new Date());
  const builtins: Entry[] = (opts.builtins ?? BUILTIN_TEMPLATES).map((doc) => ({ template: parseTemplate(doc, 'built-in template'), source: 'builtin', saved_at: null, saved_by: null }));
  // Saved versions are immutable, so what was read once is cached by key.
  const cache = new Map<string, Entry>();

  function folderEntries(problems: string[]): Entry[] {
    const dir = opts.dir;
    if (!dir) return [];
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => FILE_RE.test(n)).sort();
    } catch (e) {
      problems.push(`DJP_TEMPLATES_DIR ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return [];
    }
    const out: Entry[] = [];
    for (const name of names) {
      const file = join(dir, name);
      try {
        if (!statSync(file).isFile()) continue;
        if (statSync(file).size > 1_000_000) throw new DjpError('invalid', 'larger than 1 MB');
        const r = checkTemplate(parseTemplateDocument(readFileSync(file, 'utf8'), name));
        if (!r.template) throw invalidTemplate(r.issues, name);
        out.push({ template: r.template, source: 'folder', saved_at: null, saved_by: null });
      } catch (e) {
        problems.push(`${file}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  async function storeKeys(prefix: string): Promise<Array<{ key: string; id: string; version: number }>> {
    if (!backend) return [];
    const out: Array<{ key: string; id: string; version: number }> = [];
    let token: string | null = null;
    do {
      const page = await backend.list({ prefix, limit: 1000, ...(token ? { pageToken: token } : {}) });
      for (const key of page.keys) {
        const m = KEY_RE.exec(key);
        if (m) out.push({ key, id: m[1] as string, version: Number(m[2]) });
      }
      token = page.nextPageToken;
    } while (token);
    return out;
  }

  async function readStored(key: string, id: string, version: number): Promise<Entry> {
    const hit = cache.get(key);
    if (hit) return hit;
    if (!backend) throw new DjpError('internal', 'no store');
    const text = Buffer.from(await backend.read(key)).toString('utf8');
    const doc = JSON.parse(text) as Record<string, unknown>;
    const { saved_at, saved_by, ...rest } = doc;
    const template = parseTemplate(rest, key);
    if (template.id !== id || template.version !== version) throw new DjpError('invalid', `${key} holds ${template.id} v${template.version}, not ${id} v${version}`);
    const entry: Entry = { template, source: 'store', saved_at: typeof saved_at === 'string' ? saved_at : null, saved_by: typeof saved_by === 'string' ? saved_by : null };
    cache.set(key, entry);
    return entry;
  }

  /** Every known version, by id then version; store objects are listed but read lazily. */
  async function index(idFilter: string | null, problems: string[]) {
    const byId = new Map<string, Map<number, Entry | { key: string }>>();
    const add = (id: string, version: number, e: Entry | { key: string }, where: string) => {
      let versions = byId.get(id);
      if (!versions) byId.set(id, (versions = new Map()));
      if (versions.has(version)) {
        problems.push(`${where}: ${id} v${version} is already defined by an earlier source; ignored`);
        return;
      }
      versions.set(version, e);
    };
    for (const e of builtins) if (!idFilter || e.template.id === idFilter) add(e.template.id, e.template.version, e, `built-in ${e.template.id}`);
    let keys: Awaited<ReturnType<typeof storeKeys>> = [];
    try {
      keys = await storeKeys(idFilter ? `${TEMPLATES_PREFIX}${idFilter}/` : TEMPLATES_PREFIX);
    } catch (e) {
      throw storeError(e, `listing templates in ${backend?.location}`);
    }
    for (const k of keys) add(k.id, k.version, { key: k.key }, backend?.uri(k.key) ?? k.key);
    for (const e of folderEntries(problems)) if (!idFilter || e.template.id === idFilter) add(e.template.id, e.template.version, e, `folder ${e.template.id}`);
    return byId;
  }

  async function resolve(e: Entry | { key: string }, id: string, version: number): Promise<Entry> {
    return 'key' in e ? readStored(e.key, id, version) : e;
  }

  const record = (e: Entry, versions: number[]): TemplateRecord => ({ ...e.template, source: e.source, saved_at: e.saved_at, saved_by: e.saved_by, versions });

  async function get(id: string, version?: number): Promise<TemplateRecord> {
    const byId = await index(id, []);
    const versions = byId.get(id);
    if (!versions || versions.size === 0) throw new DjpError('not_found', `template ${JSON.stringify(id)} not found (djp templates list shows what exists)`, 'template.id');
    const all = [...versions.keys()].sort((a, b) => a - b);
    const v = version ?? (all[all.length - 1] as number);
    const e = versions.get(v);
    if (!e) throw new DjpError('not_found', `template ${id} has no version ${v} (versions: ${all.join(', ')})`, 'template.version');
    try {
      return record(await resolve(e, id, v), all);
    } catch (err) {
      throw storeError(err, `reading template ${id} v${v}`);
    }
  }

  return {
    location: backend ? `${backend.location}/templates` : null,

    async list(query = {}) {
      const q = parseOrInvalid(ListTemplatesQuery, query);
      const problems: string[] = [];
      const byId = await index(null, problems);
      const latest = await mapLimit([...byId.entries()], 16, async ([id, versions]) => {
        const all = [...versions.keys()].sort((a, b) => a - b);
        // The newest readable version stands for the id (an unreadable object is a problem, not fatal).
        for (let i = all.length - 1; i >= 0; i--) {
          const v = all[i] as number;
          try {
            return { entry: await resolve(versions.get(v) as Entry | { key: string }, id, v), all };
          } catch (e) {
            problems.push(`${id} v${v}: ${(e as Error).message}`);
          }
        }
        return null;
      });
      const templates = latest
        .filter((x): x is { entry: Entry; all: number[] } => x !== null && matches(x.entry.template, q.q, q.tag))
        .map(({ entry, all }) => ({
          id: entry.template.id,
          title: entry.template.title,
          description: entry.template.description,
          tags: entry.template.tags,
          version: entry.template.version,
          versions: all,
          source: entry.source,
          inputs: entry.template.inputs.length,
        }))
        .sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
      return { templates, problems };
    },

    get,

    async save(document, savedBy) {
      if (!backend) throw new DjpError('unavailable', 'templates cannot be saved: no store is configured');
      const template = parseTemplate(document);
      for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
        const versions = (await index(template.id, [])).get(template.id);
        const next = versions && versions.size ? Math.max(...versions.keys()) + 1 : 1;
        const saved: Template = { ...template, version: next };
        const entry: Entry = { template: saved, source: 'store', saved_at: now().toISOString(), saved_by: savedBy };
        const key = templateKey(saved.id, next);
        try {
          await backend.create(key, `${JSON.stringify({ ...saved, saved_at: entry.saved_at, saved_by: savedBy }, null, 2)}\n`, { contentType: 'application/json' });
        } catch (e) {
          if (e instanceof StorageError && e.kind === 'conflict') continue; // someone saved this number first
          throw storeError(e, `saving template ${saved.id} v${next} to ${backend.location}`);
        }
        cache.set(key, entry);
        return record(entry, [...(versions?.keys() ?? []), next].sort((a, b) => a - b));
      }
      throw new DjpError('conflict', `template ${template.id}: ${SAVE_ATTEMPTS} concurrent saves took every next version number; try again`, 'id');
    },
  };
}
