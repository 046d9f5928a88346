import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunArtifact } from '../../shared/api/index.js';
import { ARTIFACT_SCHEMA_PATH, artifactJsonSchemaText } from '../../shared/artifacts/json-schema.js';
import { runWith } from './helpers.js';

const root = resolve(import.meta.dirname, '../..');

describe('artifact schema', () => {
  it('docs/artifact.schema.json matches the zod schema (run `npm run schema` after changing it)', () => {
    const committed = readFileSync(join(root, ARTIFACT_SCHEMA_PATH), 'utf8');
    expect(committed).toBe(artifactJsonSchemaText());
  });

  it('the JSON Schema requires what the zod schema requires', () => {
    const s = JSON.parse(artifactJsonSchemaText()) as { required: string[]; properties: Record<string, unknown> };
    expect(s.required).toEqual(expect.arrayContaining(['id', 'drafts', 'judge', 'publish', 'provenance', 'timings_ms']));
    expect(Object.keys(s.properties)).toEqual(Object.keys(RunArtifact.shape));
  });

  it('a real artifact validates; a broken one does not', async () => {
    const { artifact } = await runWith({}, { task: 'schema check' });
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
    expect(RunArtifact.safeParse({ ...artifact, id: 'not-a-ulid' }).success).toBe(false);
    expect(RunArtifact.safeParse({ ...artifact, created_at: '2026-01-01 10:00' }).success).toBe(false);
    const badScore = structuredClone(artifact);
    badScore.judge.scores[0]!.score = 11;
    expect(RunArtifact.safeParse(badScore).success).toBe(false);
  });
});
