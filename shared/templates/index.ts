// Templates (issue 13): typed inputs, a strict Liquid body, the built-in gallery and team templates.
export { BodyError, parseBody, renderBody } from './engine.js';
export { checkTemplate, formatPath, invalidTemplate, parseTemplate, parseTemplateDocument, parseTemplateText, type CheckResult, type TemplateIssue } from './validate.js';
export { checkValue, checkVars, resolveVars, type VarIssue } from './vars.js';
export { renderTemplate } from './render.js';
export { BUILTIN_TEMPLATES } from './gallery.js';
export { createTemplateCatalog, templateKey, TEMPLATES_PREFIX, type TemplateCatalog, type TemplateCatalogOptions } from './catalog.js';
export { expandTemplateRequest, renderTemplateRef, replayTemplateRequest, type ExpandedRequest } from './run.js';
