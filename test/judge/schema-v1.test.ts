// Artifact schema 2 (issue 9) reads schema-1 artifacts: written before the new fields existed, they
// still validate, list and show; the defaults describe what a schema-1 run did.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_SCHEMA_VERSION, RunArtifact, rawText } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { summaryText } from '../../server/commands/cli-service.js';
import { makeArtifact } from '../fixtures/sample-artifact.js';

/** A schema-1 artifact as it was written: none of the schema-2 fields. */
function v1(): Record<string, unknown> {
  const a = JSON.parse(JSON.stringify(makeArtifact())) as Record<string, unknown> & { parameters: Record<string, unknown> };
  for (const k of ['judge_passes', 'judge_max_tokens', 'max_answer_chars', 'publish', 'chairman', 'redact_outbound']) delete a.parameters[k];
  for (const k of ['policy', 'warnings', 'synthesis']) delete a[k];
  a.schema_version = 1;
  return a;
}

describe('artifact schema versions', () => {
  it('new runs are schema 2; a schema-1 artifact parses with defaults that describe the old behaviour', () => {
    expect(ARTIFACT_SCHEMA_VERSION).toBe(2);
    const a = RunArtifact.parse(v1());
    expect(a.schema_version).toBe(1);
    expect(a.parameters).toMatchObject({ judge_passes: 'auto', judge_max_tokens: null, max_answer_chars: null, publish: 'verbatim', chairman: null, redact_outbound: false });
    for (const d of a.drafts) expect(rawText(d)).toBe(d.raw);
    expect(rawText({ raw: '', answer: 'plain', raw_is_answer: true })).toBe('plain');
  });

  it('a schema-1 file in RUNS_DIR lists and shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-v1-'));
    const a = v1();
    writeFileSync(join(dir, `${String(a.id)}.json`), JSON.stringify(a));
    const store = createRunStore(dir, { logger: silentLogger, env: {} });
    await store.reindex();
    const loaded = await store.load(String(a.id));
    expect(loaded.schema_version).toBe(1);
    expect(summaryText(loaded, null)).toMatch(/^run: {6}/);
    const page = await store.list({});
    expect(page.runs.map((r) => r.id)).toContain(a.id);
  });
});
