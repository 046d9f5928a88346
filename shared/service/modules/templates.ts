// Templates: the gallery (list, get, save a new version) and a preview of what one renders.
import { GetTemplateQuery, parseOrInvalid, type CallContext, type ListTemplatesQuery, type TemplateDocument, type TemplateRef } from '../../api/index.js';
import { prepareRun } from '../prepare.js';
import { defineModule } from './registry.js';

export const templatesModule = defineModule('templates', (ctx) => ({
  templateCatalog: ctx.templateCatalog,

  async listTemplates(query?: ListTemplatesQuery) {
    return (await ctx.templateCatalog()).list(query ?? {});
  },

  async getTemplate(id: string, query?: GetTemplateQuery) {
    const q = parseOrInvalid(GetTemplateQuery, query ?? {});
    return (await ctx.templateCatalog()).get(id, q.version);
  },

  async saveTemplate(document: TemplateDocument, callCtx: CallContext) {
    const saved = await (await ctx.templateCatalog()).save(document, callCtx.identity.user);
    ctx.log?.info({ template: saved.id, version: saved.version, by: callCtx.identity.user }, 'template saved');
    return saved;
  },

  async previewTemplate(ref: TemplateRef) {
    const rendered = await (await ctx.templatesModule()).renderTemplateRef(await ctx.templateCatalog(), ref);
    const { projection } = await prepareRun(ctx, { template: ref });
    return { ...rendered, projection };
  },
}));
