// The Liquid engine for template bodies: strict (an unknown variable or filter is an error), no file
// system (includes, renders and layouts are refused at parse time; the template lookup table is
// empty), own properties only, and render limits so a body cannot loop or allocate without bound.
import { Liquid, Tag, type TagToken, type Template as LiquidTemplate, type TopLevelToken } from 'liquidjs';
import { DjpError } from '../api/index.js';

const FILE_TAGS = ['include', 'render', 'layout'] as const;

/** A body that does not parse or render: a DjpError('invalid') naming `body`, with `line`/`col` when Liquid knows them. */
export class BodyError extends DjpError {
  constructor(
    message: string,
    readonly line: number | null = null,
    readonly col: number | null = null,
  ) {
    super('invalid', message, 'body');
  }
}

function createEngine(): Liquid {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    templates: {}, // lookups (include/render/layout) go to an empty in-memory table, never the disk
    parseLimit: 200_000,
    renderLimit: 2_000, // ms
    memoryLimit: 20_000_000,
  });
  for (const name of FILE_TAGS) {
    engine.registerTag(
      name,
      class extends Tag {
        constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
          super(token, remain, liquid);
          throw new BodyError(`the {% ${name} %} tag is not allowed: templates cannot read files`, ...position(token));
        }
        render(): void {}
      },
    );
  }
  return engine;
}

function position(token: { getPosition?: () => number[] } | undefined): [number | null, number | null] {
  const p = token?.getPosition?.();
  return p && p.length >= 2 ? [p[0] ?? null, p[1] ?? null] : [null, null];
}

let shared: Liquid | null = null;
const engine = (): Liquid => (shared ??= createEngine());

function toBodyError(e: unknown): BodyError {
  if (e instanceof BodyError) return e;
  // LiquidJS errors carry the token; nested causes (our BodyError thrown from a tag) come first.
  const err = e as { message?: string; originalError?: unknown; token?: { getPosition?: () => number[] } };
  if (err?.originalError instanceof BodyError) return err.originalError;
  const msg = String(err?.message ?? e).replace(/, line:\d+, col:\d+$/, '');
  return new BodyError(msg, ...position(err?.token));
}

export interface ParsedBody {
  templates: LiquidTemplate[];
  /** Root names of every variable the body reads that it does not assign itself. */
  variables: string[];
}

export function parseBody(body: string): ParsedBody {
  try {
    const templates = engine().parse(body);
    const variables = engine().globalVariablesSync(templates);
    return { templates, variables: [...new Set(variables)] };
  } catch (e) {
    throw toBodyError(e);
  }
}

export function renderBody(parsed: ParsedBody | string, scope: Record<string, unknown>): string {
  const templates = typeof parsed === 'string' ? parseBody(parsed).templates : parsed.templates;
  try {
    return engine().renderSync(templates, scope) as string;
  } catch (e) {
    throw toBodyError(e);
  }
}
