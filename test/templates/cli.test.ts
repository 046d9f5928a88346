// The template and export commands as a user runs them: the real `djp` CLI in a subprocess.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunArtifact } from '../../shared/api/index.js';
import { fakeEnv } from '../core/helpers.js';
import { runCli } from '../fakes/cli.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

const cwd = mkdtempSync(join(tmpdir(), 'djp-tpl-cli-'));
const env = { RUNS_DIR: join(cwd, 'runs'), HOME: cwd };
const djp = (...args: string[]) => runCli(args, { cwd, env });
let llm: FakeLlmServer;
beforeAll(async () => {
  llm = await startFakeLlmServer();
});
afterAll(async () => {
  await llm?.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('djp templates', () => {
  it('list --tag/--q, validate (field paths, exit 2), save a clone as version 2, show it', { timeout: 180_000 }, async () => {
    const list = await djp('templates', 'list', '--tag', 'incident', '--json');
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { templates: Array<{ id: string }> }).templates.map((t) => t.id)).toEqual(['incident-postmortem']);

    writeFileSync(join(cwd, 'bad.yaml'), 'id: bad\ntitle: Bad\ninputs:\n  - name: a\n    type: text\n  - name: b\n    type: int\n  - name: c\n    type: string\n    pattern: "(["\nbody: "{{ a }} {{ b }} {{ c }} {{ d }}"\n');
    const bad = await djp('templates', 'validate', 'bad.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.yaml: inputs[2].pattern: not a valid regular expression');
    expect(bad.stderr).toContain('bad.yaml: body: reads the undefined variable "d"');

    const yaml = await djp('templates', 'show', 'meeting-actions', '--yaml');
    expect(yaml.code).toBe(0);
    writeFileSync(join(cwd, 'mine.yaml'), yaml.stdout.replace('title: Meeting notes → actions', 'title: Team meeting actions'));
    expect((await djp('templates', 'validate', 'mine.yaml')).stdout).toBe('ok: meeting-actions v1 — 4 input(s)\n');
    const saved = await djp('templates', 'save', 'mine.yaml');
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain(`saved meeting-actions v2 to ${join(cwd, 'runs')}/templates (versions 1, 2)`);
    const shown = await djp('templates', 'show', 'meeting-actions');
    expect(shown.stdout).toMatch(/^meeting-actions v2 \(store, saved by .+\) — versions 1, 2\nTeam meeting actions\n/);
    expect((await djp('templates', 'show', 'meeting-actions', '--template_version', '1')).stdout).toContain('\nMeeting notes → actions\n');
    const missing = await djp('templates', 'show', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('template "nope" not found');
  });
});

describe('djp run --template and djp export', () => {
  it('bad variables exit 2 naming the variable before any provider is called', { timeout: 180_000 }, async () => {
    const before = llm.requests.length;
    const withKeys = { ...env, ...fakeEnv(llm, ['openai']) } as Record<string, string>;
    const r1 = await runCli(['run', '--template', 'incident-postmortem', '--var', 'service=api', '--var', 'severity=SEV2', '--var', 'incident_date=2026-13-01', '--var', 'timeline=a timeline that is long enough to pass'], { cwd, env: withKeys });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('vars.incident_date: must be a date YYYY-MM-DD (got "2026-13-01")');
    const r2 = await runCli(['run', '--template', 'code-review', '--template_version', '3', '--var', 'code=x'], { cwd, env: withKeys });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('template code-review has no version 3 (versions: 1)');
    const r3 = await runCli(['run', '--template', 'code-review', '--task', 'both'], { cwd, env: withKeys });
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('either --task or --template');
    const r4 = await runCli(['run', '--template', 'code-review', '--vars-file', 'missing.json'], { cwd, env: withKeys });
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('--vars-file missing.json: no such file');
    expect(llm.requests.length).toBe(before);
  });

  it('runs from --vars-file and --var (offline), records the template, exports DOCX that unzip can read', { timeout: 180_000 }, async () => {
    writeFileSync(join(cwd, 'vars.json'), JSON.stringify({ notes: 'Lee will fix the signup bug by Friday. We agreed to launch on Tuesday.', meeting_date: '2026-11-02' }));
    const run = await djp('run', '--template', 'meeting-actions', '--vars-file', 'vars.json', '--var', 'include_summary=no', '--json', '--quiet');
    expect(run.code, run.stderr).toBe(0);
    const { id, run: a } = JSON.parse(run.stdout) as { id: string; run: RunArtifact };
    // The latest version is the team's v2 saved above.
    expect(a.template).toEqual({ id: 'meeting-actions', version: 2, source: 'store', vars: { notes: 'Lee will fix the signup bug by Friday. We agreed to launch on Tuesday.', meeting_date: '2026-11-02', attendees: '', include_summary: false } });
    expect(a.task).toContain('the meeting held on 2026-11-02');
    expect(a.task).not.toContain('three-sentence summary');

    const out = await djp('export', id, '--format', 'docx', '--out', 'run.docx');
    expect(out.code, out.stderr).toBe(0);
    const xml = execFileSync('unzip', ['-p', join(cwd, 'run.docx'), 'word/document.xml'], { encoding: 'utf8' });
    const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
    expect(text).toContain('the meeting held on 2026-11-02');
    expect(text).toContain(a.drafts.find((d) => d.id === (a.publish.draft_id ?? a.judge.ranking[0]))!.answer.replace(/"/g, '&quot;').slice(0, 40));
    const md = await djp('export', id, '--format', 'md');
    expect(md.stdout).toContain('- **Template:** meeting-actions v2 (store)');
    const bad = await djp('export', id, '--format', 'pdf');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format: must be one of md, html, docx');
    expect(readFileSync(join(cwd, 'run.docx')).subarray(0, 2).toString()).toBe('PK');
  });
});
