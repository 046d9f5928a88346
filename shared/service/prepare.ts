// A run request made ready to run: its template expanded, parsed, parameters resolved against the
// configured providers, its policy loaded and its cost projected. No provider is called.
import { RunRequest, parseOrInvalid } from '../api/index.js';
import { resolveRunParams } from '../config/params.js';
import { inlinePolicy, loadPolicy } from '../config/policy.js';
import { loadProviderRegistry } from '../providers/registry.js';
import type { ServiceContext } from './context.js';

const isTemplated = (r: unknown) => typeof r === 'object' && r !== null && (r as { template?: unknown }).template !== undefined;

export async function prepareRun(ctx: ServiceContext, input: unknown) {
  // A template is looked up, its variables checked and its body rendered first: a bad variable or
  // an unknown template/version is a request error before any provider is called.
  const { request, template } = isTemplated(input) ? await (await ctx.templatesModule()).expandTemplateRequest(await ctx.templateCatalog(), input) : { request: input, template: null };
  const req = parseOrInvalid(RunRequest, request);
  const registry = await loadProviderRegistry(ctx.env, ctx.opts.secrets);
  const params = resolveRunParams(req, { registry });
  // Stored or inline policy content needs no file (replay of a run whose policy file moved).
  const policy = req.policy_content ? inlinePolicy(req.policy_content, params.policy) : loadPolicy(params.policy, { allowFiles: ctx.opts.surface !== 'server' });
  const projection = ctx.project(req.task, params);
  return { req, registry, params, policy, projection, template };
}

export type PreparedRun = Awaited<ReturnType<typeof prepareRun>>;

