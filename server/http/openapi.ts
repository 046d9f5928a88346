// /openapi.json: an OpenAPI 3.1 document generated from the routes (the server's own and one per
// operation of shared/api/operations.ts) and the contract's zod
// schemas (zod 4's z.toJSONSchema, JSON Schema 2020-12 — the dialect OpenAPI 3.1 uses).
import * as z from 'zod';
import {
  CostProjection,
  Decision,
  Identity,
  ProviderStatus,
  RejectDecision,
  RunArtifact,
  RunEvent,
  RunPage,
  RunRequest,
  StartRunRequest,
  ServiceInfo,
  StartedRun,
} from '../../shared/api/index.js';
import { ROUTES, type Route } from './routes.js';

type Json = Record<string, unknown>;

/** Schemas published under components.schemas, by name; routes referring to them use $ref. */
const NAMED: Array<[string, z.ZodType]> = [
  ['RunRequest', RunRequest],
  ['StartRunRequest', StartRunRequest],
  ['RunArtifact', RunArtifact],
  ['RunEvent', RunEvent],
  ['RunPage', RunPage],
  ['ProviderStatus', ProviderStatus],
  ['CostProjection', CostProjection],
  ['ServiceInfo', ServiceInfo],
  ['StartedRun', StartedRun],
  ['Decision', Decision],
  ['RejectDecision', RejectDecision],
  ['Identity', Identity],
];

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

function schemaRef(schema: z.ZodType, io: 'input' | 'output'): Json {
  const named = NAMED.find(([, s]) => s === schema);
  if (named) return { $ref: `#/components/schemas/${named[0]}` };
  if (schema instanceof z.ZodArray) {
    const inner = NAMED.find(([, s]) => s === (schema as z.ZodArray<z.ZodType>).element);
    if (inner) return { type: 'array', items: { $ref: `#/components/schemas/${inner[0]}` } };
  }
  return toSchema(schema, io);
}

const ERROR_SCHEMA: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
};

function operation(route: Route): Json {
  const parameters: Json[] = [];
  for (const m of route.path.matchAll(/:([a-zA-Z]+)/g)) {
    const arg = route.operation?.def.args.find((a) => a.name === m[1]);
    parameters.push({ name: m[1], in: 'path', required: true, schema: arg ? toSchema(arg.schema, 'input') : { type: 'string' } });
  }
  if (route.query) {
    const js = toSchema(route.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(js.properties ?? {})) {
      parameters.push({ name, in: 'query', required: (js.required ?? []).includes(name) && !('default' in schema), schema });
    }
  }
  for (const [header, arg] of Object.entries(route.headers ?? {})) {
    const def = route.operation?.def.args.find((a) => a.name === arg);
    const name = header.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
    parameters.push({ name, in: 'header', required: true, schema: def ? toSchema(def.schema, 'input') : { type: 'string' }, description: `${arg}; non-ASCII as percent-encoded UTF-8 (encodeURIComponent)` });
  }
  if (route.response.sse) {
    parameters.push({ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'Resume after this event seq' });
    parameters.push({ name: 'after', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'Resume after this event seq' });
  }
  const ok: Json = { description: route.response.description };
  if (route.response.file) {
    ok['content'] = { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };
    ok['headers'] = { 'Content-Disposition': { description: 'attachment; filename="…"; filename*=UTF-8\'\'…', schema: { type: 'string' } } };
    ok['description'] = `${route.response.description} (its bytes; Content-Type is the file's media type)`;
  } else if (route.response.schema) {
    const contentType = route.response.sse ? 'text/event-stream' : 'application/json';
    ok['content'] = { [contentType]: { schema: schemaRef(route.response.schema, 'output') } };
  } else if (route.path === '/openapi.json') {
    ok['content'] = { 'application/json': { schema: { type: 'object' } } };
  }
  const err = (description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const responses: Json = { [String(route.response.status)]: ok };
  if (route.response.sse) responses['204'] = { description: 'the client already has the final event (Last-Event-ID / after): stop reconnecting' };
  const hasParam = /:[a-zA-Z]/.test(route.path);
  if (route.body || route.raw || route.query || hasParam) responses['400'] = err('invalid input; error.field names the field');
  if (route.auth) responses['401'] = err('missing or invalid identity (see DJP_AUTH)');
  if (hasParam) responses['404'] = err(route.path.startsWith('/api/runs/:id') ? 'no such run' : 'not found');
  if (route.body) responses['413'] = err('request body too large (DJP_MAX_BODY_BYTES)');
  if (route.raw) responses['413'] = err(`the body is over ${route.raw.limitEnv} (refused while it streams in)`);
  for (const [status, description] of Object.entries(route.errors ?? {})) responses[status] = err(description);
  if (route.response.sse || (route.method === 'POST' && /^\/api\/runs(\/:id\/replay)?$/.test(route.path))) {
    responses['429'] = {
      ...err('a quota or bound was reached; error.field names its variable (DJP_RUNS_PER_MINUTE, DJP_MAX_SSE_PER_IDENTITY, …)'),
      headers: { 'Retry-After': { description: 'seconds until trying again can succeed', schema: { type: 'integer', minimum: 1 } } },
    };
  }
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[/:.]+([a-z])/g, (_m, c: string) => c.toUpperCase()).replace(/[^A-Za-z]/g, '')}`,
    summary: route.summary,
    tags: [route.tag],
    parameters,
    responses,
  };
  if (route.raw) {
    op['requestBody'] = { required: true, description: 'the raw bytes (any Content-Type; the type is judged from the bytes)', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
  } else if (route.body) {
    op['requestBody'] = { required: !route.bodyOptional, content: { 'application/json': { schema: schemaRef(route.body, 'input') } } };
  }
  if (!route.auth) op['security'] = [];
  return op;
}

export function buildOpenApi(version: string, routes: readonly Route[] = ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const p = route.path.replace(/:([a-zA-Z]+)/g, '{$1}');
    paths[p] ??= {};
    paths[p][route.method.toLowerCase()] = operation(route);
  }
  const schemas: Record<string, Json> = { Error: ERROR_SCHEMA };
  for (const [name, schema] of NAMED) schemas[name] = toSchema(schema, name.endsWith('RunRequest') || name.endsWith('Decision') ? 'input' : 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'DJP Workflow API',
      version,
      description:
        'Debate → Judge → Publish. Identity comes from the SSO proxy in front of the server (DJP_AUTH); see docs/AUTH.md.',
    },
    servers: [{ url: '/' }],
    tags: [{ name: 'runs' }, { name: 'service' }, { name: 'health' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        sso: { type: 'apiKey', in: 'header', name: 'x-amzn-oidc-data', description: 'Set by the SSO proxy; the header depends on DJP_AUTH' },
      },
    },
    security: [{ sso: [] }],
  };
}
