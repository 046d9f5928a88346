// The CLI as a user runs it (a subprocess, offline provider): --attach, --follow-up twice, a branch,
// `djp threads list --q`, `show --json`, `show --markdown`; bad input exits 2 naming the flag.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunArtifact, ThreadPage, ThreadView } from '../../shared/api/index.js';
import { runCli } from '../fakes/cli.js';

describe('djp run --follow-up / --attach and djp threads', () => {
  it('a thread with an attachment and a branch, listed, searched, shown and exported', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'djp-cli-threads-'));
    const env = { RUNS_DIR: join(cwd, 'runs') };
    writeFileSync(join(cwd, 'notes.md'), '# Notes\n\nThe Quillon glacier retreated 40 metres in 2023.\n');
    const run = async (...args: string[]) => {
      const r = await runCli(['run', '--quiet', '--json', ...args], { cwd, env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { run: RunArtifact }).run;
    };
    const t1 = await run('--task', 'How far did the Quillon glacier retreat?', '--attach', 'notes.md');
    expect(t1.attachments!.map((a) => [a.name, a.media_type, a.used])).toEqual([['notes.md', 'text/markdown', true]]);
    const t2 = await run('--follow-up', t1.id, '--task', 'Compare it with the Brenner ice field');
    const t3 = await run('--follow-up', t2.id, '--task', 'Summarise both', '--context_tokens', '2000');
    const b = await run('--follow-up', t1.id, '--task', 'A different question');
    expect([t2.thread!.turn, t3.thread!.turn, b.thread!.turn]).toEqual([2, 3, 2]);
    expect(t3.thread!.context!.budget_tokens).toBe(2000);
    expect(t3.attachments![0]!.source).toBe('inherited');

    const list = await runCli(['threads', 'list', '--q', 'brenner', '--json'], { cwd, env });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as ThreadPage).threads.map((t) => [t.id, t.turns, t.branches])).toEqual([[t1.id, 4, 2]]);
    const show = await runCli(['threads', 'show', t1.id, '--json'], { cwd, env });
    expect((JSON.parse(show.stdout) as ThreadView).branches).toEqual([
      [t1.id, t2.id, t3.id],
      [t1.id, b.id],
    ]);
    const human = await runCli(['threads', 'show', t1.id], { cwd, env });
    expect(human.stdout).toContain('branch 2/2:');
    const md = await runCli(['threads', 'show', t1.id, '--markdown'], { cwd, env });
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(new RegExp(`^# Thread ${t1.id}\\n`));
    for (const t of [t1, t2, t3, b]) expect(md.stdout).toContain(`## Turn ${t.thread!.turn} — ${t.id}`);
    expect(md.stdout).toContain('> Compare it with the Brenner ice field');
    expect(md.stdout).toContain('### Published answer');
    // HTML and DOCX: the same thread document through the run export's renderers.
    const html = await runCli(['threads', 'show', t1.id, '--html', '--out', join(cwd, 't.html')], { cwd, env });
    expect(html.code, html.stderr).toBe(0);
    const page = readFileSync(join(cwd, 't.html'), 'utf8');
    expect(page).toContain(`<h1>Thread ${t1.id}</h1>`);
    expect(page).toContain("default-src 'none'");
    expect(page).toContain('Compare it with the Brenner ice field');
    const docx = await runCli(['threads', 'show', t1.id, '--docx', '--out', join(cwd, 't.docx')], { cwd, env });
    expect(docx.code, docx.stderr).toBe(0);
    const xml = execFileSync('unzip', ['-p', join(cwd, 't.docx'), 'word/document.xml'], { encoding: 'utf8' });
    const words = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
    expect(words).toContain(`Turn 3 — ${t3.id}`);
    expect(words).toContain('Compare it with the Brenner ice field');
    expect(xml).toContain('w:val="Heading2"');
  }, 120_000);

  it('bad input exits 2 naming the flag', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'djp-cli-threads-'));
    const env = { RUNS_DIR: join(cwd, 'runs') };
    writeFileSync(join(cwd, 'pic.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]));
    const cases: Array<[string[], RegExp]> = [
      [['run', '--task', 'x', '--follow-up', '01J00000000000000000000000'], /--follow-up: follow_up_of: run 01J00000000000000000000000 not found/],
      [['run', '--task', 'x', '--follow-up', 'nope'], /follow_up_of/],
      [['run', '--task', 'x', '--attach', 'missing.md'], /--attach missing\.md: no such file/],
      [['run', '--task', 'x', '--attach', 'pic.txt'], /--attach pic\.txt: pic\.txt: the content is a PNG image/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(args, { cwd, env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const noOut = await runCli(['threads', 'show', '01J00000000000000000000000', '--docx'], { cwd, env });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--docx needs --out FILE');
    const two = await runCli(['threads', 'show', '01J00000000000000000000000', '--html', '--markdown'], { cwd, env });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('choose one of --markdown, --html, --docx');
    const none = await runCli(['threads', 'show', '01J00000000000000000000000'], { cwd, env });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('thread 01J00000000000000000000000 not found');
  }, 120_000);
});
