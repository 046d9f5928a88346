// Templates: a task body with typed inputs and run defaults (issue 13). Browser-safe (zod only): the
// renderer builds its form from these types. Parsing files, the Liquid engine, the gallery and the
// store live in shared/templates/.
import * as z from 'zod';
import { RunRequest } from './run-request.js';

export const INPUT_TYPES = ['string', 'text', 'int', 'float', 'bool', 'enum', 'multiselect', 'date', 'email', 'url'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export const TEMPLATE_ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const TemplateId = z.string().regex(TEMPLATE_ID_RE, 'template id must be 1–64 characters: lower-case letters, digits and "-", starting with a letter or digit');
export const INPUT_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;
const InputName = z.string().regex(INPUT_NAME_RE, 'input name must be lower_snake_case: a letter, then letters, digits or "_" (at most 64)');
export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DateText = z.string().regex(DATE_RE, 'must be a date YYYY-MM-DD');
const Option = z.string().min(1).max(200);

const common = {
  name: InputName,
  label: z.string().min(1).max(200).optional(),
  help: z.string().max(2000).optional(),
  required: z.boolean().optional(),
};

const textLike = {
  ...common,
  /** Length bounds in characters. */
  min: z.number().int().min(0).max(50_000).optional(),
  max: z.number().int().min(1).max(50_000).optional(),
  /** A JavaScript regular expression (Unicode mode) the whole value must match. */
  pattern: z.string().min(1).max(500).optional(),
  default: z.string().max(50_000).optional(),
};

export const TemplateInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('string'), ...textLike }).strict(),
  z.object({ type: z.literal('text'), ...textLike }).strict(),
  z.object({ type: z.literal('int'), ...common, min: z.number().int().optional(), max: z.number().int().optional(), default: z.number().int().optional() }).strict(),
  z.object({ type: z.literal('float'), ...common, min: z.number().optional(), max: z.number().optional(), default: z.number().optional() }).strict(),
  z.object({ type: z.literal('bool'), ...common, default: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('enum'), ...common, options: z.array(Option).min(1).max(100), default: Option.optional() }).strict(),
  z
    .object({
      type: z.literal('multiselect'),
      ...common,
      options: z.array(Option).min(1).max(100),
      /** Bounds on how many options are chosen. */
      min: z.number().int().min(0).optional(),
      max: z.number().int().min(1).optional(),
      default: z.array(Option).optional(),
    })
    .strict(),
  z.object({ type: z.literal('date'), ...common, min: DateText.optional(), max: DateText.optional(), default: DateText.optional() }).strict(),
  z.object({ type: z.literal('email'), ...common, default: z.string().max(320).optional() }).strict(),
  z.object({ type: z.literal('url'), ...common, default: z.string().max(2000).optional() }).strict(),
]);
export type TemplateInput = z.infer<typeof TemplateInput>;

/** Run options a template may set; a run request's own options win over them. */
export const TemplateDefaults = RunRequest.omit({ task: true }).strict();
export type TemplateDefaults = z.infer<typeof TemplateDefaults>;

/** A template as written in a YAML or JSON file (structure only; shared/templates checks the rest). */
export const Template = z
  .object({
    id: TemplateId,
    title: z.string().trim().min(1, 'title must not be empty').max(200),
    description: z.string().max(4000).default(''),
    tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'tag must be lower-case letters, digits and "-" (at most 40)')).max(20).default([]),
    /** Versions count from 1; the store assigns the next one on save. */
    version: z.number().int().min(1).max(1_000_000).default(1),
    inputs: z.array(TemplateInput).max(50).default([]),
    /** The task, a LiquidJS template (strict: unknown variables and filters are errors; no includes). */
    body: z.string().min(1, 'body must not be empty').max(50_000),
    defaults: TemplateDefaults.default({}),
    /** Sample values for the gallery preview (and the template's own tests); checked like real input. */
    example: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).optional(),
  })
  .strict();
export type Template = z.infer<typeof Template>;
export type TemplateFile = z.input<typeof Template>;

/** A value of one input: strings for string/text/enum/date/email/url, numbers, booleans, or a list. */
export const VarValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);
export type VarValue = z.infer<typeof VarValue>;
export const TemplateVars = z.record(z.string(), VarValue);
export type TemplateVars = z.infer<typeof TemplateVars>;

export const TEMPLATE_SOURCES = ['builtin', 'folder', 'store'] as const;
export const TemplateSource = z.enum(TEMPLATE_SOURCES);
export type TemplateSource = z.infer<typeof TemplateSource>;

/** One version of a template as the catalog serves it. */
export const TemplateRecord = Template.extend({
  source: TemplateSource,
  /** Store versions: when and by whom it was saved; null for built-in and folder templates. */
  saved_at: z.string().nullable(),
  saved_by: z.string().nullable(),
  /** Every version of this id the catalog knows, ascending. */
  versions: z.array(z.number().int().min(1)),
});
export type TemplateRecord = z.infer<typeof TemplateRecord>;

export const TemplateSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  version: z.number().int(),
  versions: z.array(z.number().int()),
  source: TemplateSource,
  inputs: z.number().int(),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;

export const TemplateList = z.object({
  templates: z.array(TemplateSummary),
  /** Folder files or store objects that could not be used, and why. */
  problems: z.array(z.string()),
});
export type TemplateList = z.infer<typeof TemplateList>;


/** GET /api/templates/{id}?version=N: a version, else the latest. */
export const GetTemplateQuery = z.object({ version: z.coerce.number().int('version must be a whole number').min(1, 'version must be 1 or more').optional() }).strict();
export type GetTemplateQuery = z.input<typeof GetTemplateQuery>;

/** A template document to save (any object: the service checks it and names fields like inputs[2].pattern). */
export const TemplateDocument = z.record(z.string(), z.unknown());
export type TemplateDocument = z.infer<typeof TemplateDocument>;

export const ListTemplatesQuery = z
  .object({
    /** Words that must all appear in the title, description, tags or body (case-insensitive). */
    q: z.string().max(500).optional(),
    tag: z.string().max(40).optional(),
  })
  .strict();
export type ListTemplatesQuery = z.infer<typeof ListTemplatesQuery>;

/** How a run names its template (POST /api/runs `template`, `djp run --template`). */
export const TemplateRef = z
  .object({
    id: TemplateId,
    /** Omit for the latest version. */
    version: z.number().int().min(1).optional(),
    vars: TemplateVars.default({}),
  })
  .strict();
export type TemplateRef = z.input<typeof TemplateRef>;

/** A run started from a template: run options (they win over the template's defaults) and no task. */
export const TemplateRunRequest = RunRequest.omit({ task: true })
  .extend({ template: TemplateRef })
  .strict();
export type TemplateRunRequest = z.input<typeof TemplateRunRequest>;

/** What a run artifact records about the template it came from (replay re-renders from it). */
export const TemplateUse = z.object({
  id: z.string(),
  version: z.number().int().min(1),
  source: TemplateSource,
  /** The input values after defaults and type coercion (after redaction when redaction is on). */
  vars: TemplateVars,
});
export type TemplateUse = z.infer<typeof TemplateUse>;
