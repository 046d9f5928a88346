// npm run schema: writes docs/artifact.schema.json from the zod RunArtifact.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ARTIFACT_SCHEMA_PATH, artifactJsonSchemaText } from '../shared/artifacts/json-schema.js';

mkdirSync(dirname(ARTIFACT_SCHEMA_PATH), { recursive: true });
writeFileSync(ARTIFACT_SCHEMA_PATH, artifactJsonSchemaText());
process.stdout.write(`wrote ${ARTIFACT_SCHEMA_PATH}\n`);
