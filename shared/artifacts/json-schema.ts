// The artifact's JSON Schema, generated from the zod RunArtifact (zod 4's z.toJSONSchema).
// `npm run schema` writes it to docs/artifact.schema.json; a test fails when the file drifts.
import * as z from 'zod';
import { ARTIFACT_SCHEMA_VERSION, RunArtifact } from '../api/index.js';

export const ARTIFACT_SCHEMA_PATH = 'docs/artifact.schema.json';

export function artifactJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RunArtifact, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: `https://djp-workflow.local/schemas/artifact-v${ARTIFACT_SCHEMA_VERSION}.json`,
    title: 'DJP Workflow run artifact',
    description: `One DJP run (schema_version ${ARTIFACT_SCHEMA_VERSION}). Generated from shared/api/artifact.ts by \`npm run schema\`; do not edit by hand.`,
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

export function artifactJsonSchemaText(): string {
  return `${JSON.stringify(artifactJsonSchema(), null, 2)}\n`;
}
