// The gallery preview's result: a template rendered with given values and the projected cost of
// running it with its defaults. Its own file because it joins template.ts and contract.ts (artifact.ts
// imports template.ts, and contract.ts imports artifact.ts). Browser-safe.
import * as z from 'zod';
import { CostProjection } from './contract.js';
import { TemplateVars } from './template.js';

export const TemplatePreview = z.object({
  id: z.string(),
  version: z.number().int(),
  task: z.string(),
  vars: TemplateVars,
  projection: CostProjection,
});
export type TemplatePreview = z.infer<typeof TemplatePreview>;
