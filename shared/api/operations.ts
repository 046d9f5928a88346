// The operation table: every DjpApi operation declared once — its name, arguments and result
// schemas, whether it streams, and its HTTP method and path. Everything else is derived from it:
//   server/http/routes.ts   the HTTP routes (validation, status, Location) and, through them, /openapi.json
//   main/ipc.ts             the IPC argument checks and dispatch of djp:call
//   shared/api/bridge.ts    the preload bridge's operation list (BRIDGE_OPERATIONS)
//   renderer/src/api/*      the client's methods for both transports (operationClient)
//   DjpApi / DjpClient      their TypeScript types (ApiMethods / ClientMethods below)
// Adding an operation: docs/CONTRIBUTING.md. Browser-safe: zod and shared/api only.
import * as z from 'zod';
import { RunArtifact } from './artifact.js';
import {
  CostProjection,
  Decision,
  ListRunsQuery,
  ProviderModels,
  ProviderStatus,
  RejectDecision,
  RunEvent,
  RunPage,
  ServiceInfo,
  StartedRun,
  type CallContext,
  type Unsubscribe,
} from './contract.js';
import { DjpError, invalidFromZod } from './errors.js';
import { RunId } from './ids.js';
import { ProviderId, RunRequest } from './run-request.js';
import { BatchDetail, BatchId, BatchInfo, BatchResultsFile, BatchResultsQuery, CreateBatchRequest } from './batch.js';
import { ExportQuery, ExportedFile, ThreadExportQuery } from './export.js';
import { GetTemplateQuery, ListTemplatesQuery, TemplateDocument, TemplateId, TemplateList, TemplateRecord, TemplateRef, TemplateRunRequest } from './template.js';
import { TemplatePreview } from './template-preview.js';
import { AttachmentFileName, AttachmentId, ListThreadsQuery, ThreadPage, ThreadView, UploadedAttachment } from './thread.js';
import { Bytes, RawFile } from './file.js';

/** DJP_ATTACHMENT_MAX_BYTES' default (shared/attachments/limits.ts reads the same variable). */
const ATTACHMENT_MAX_BYTES_DEFAULT = 10 * 1024 * 1024;

/** One positional argument of an operation (the CallContext is never one: transports add it). */
export interface ArgDef {
  /** The field named in errors for a scalar argument; also the HTTP path parameter (`:name`). */
  readonly name: string;
  readonly schema: z.ZodType;
  /** May be omitted; an omitted object argument is parsed as `{}` (so its defaults apply). */
  readonly optional?: boolean;
}

export interface HttpDef {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** `:name` segments are arguments of that name. */
  readonly path: string;
  /** Success status. A result-less operation with no `respond` answers without a body. */
  readonly status: number;
  /** OpenAPI description of the success response. */
  readonly description: string;
  /** The argument carried as the JSON body. */
  readonly body?: string;
  /** The argument carried as the query string (GET). */
  readonly query?: string;
  /** Starts a run: refused while the server drains (503); answers with a Location header. */
  readonly startsRun?: boolean;
  /** The HTTP body when it is not the operation's result. */
  readonly respond?: { readonly schema: z.ZodType; readonly value: (result: unknown, args: readonly unknown[]) => unknown };
  /** Extra documented error responses, by status. */
  readonly errors?: Readonly<Record<number, string>>;
  /** Older servers wrapped an array result as `{<key>: [...]}`; clients accept both. */
  readonly wrappedAs?: string;
  /**
   * Arguments carried in request headers: argument name → header name (e.g. `{ file_name: 'X-File-Name' }`).
   * Values are percent-decoded (clients send non-ASCII as encodeURIComponent UTF-8: encodeHeaderValue).
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The argument carried as the raw request body (bytes of any content type, a `Bytes` schema).
   * The server reads it while it streams in and refuses it with 413 (field `field`, the message
   * naming `limitEnv`) as soon as it passes the limit — before buffering the rest. `limitEnv` is
   * read from the server's environment (a whole number of bytes), `defaultLimit` when unset.
   * Such a request must carry at least one of `headers` (a custom header a cross-site HTML form
   * cannot send: the CSRF rule for non-JSON bodies, server/http/headers.ts).
   */
  readonly raw?: { readonly arg: string; readonly limitEnv: string; readonly defaultLimit: number; readonly field: string };
  /**
   * The result is a RawFile ({filename, content_type, data}) sent as a file: its bytes, its
   * Content-Type and `Content-Disposition: attachment` with a safe file name (OpenAPI: a binary
   * response). The HTTP client rebuilds the RawFile from the response.
   */
  readonly file?: true;
}

export interface OperationDef {
  readonly summary: string;
  readonly tag: 'runs' | 'service';
  readonly args: readonly ArgDef[];
  /** The result schema; null when the operation resolves with nothing. */
  readonly result: z.ZodType | null;
  /** What the result is called in a client's "does not match this version" error. */
  readonly label: string;
  /** Takes the caller's CallContext (identity) after its arguments. */
  readonly context: boolean;
  /**
   * A streaming operation: the service method takes (…args, listener, afterSeq?) and resolves with
   * an Unsubscribe; events match this schema. Carried as SSE over HTTP and over the bridge's
   * subscribe channel, never through djp:call.
   */
  readonly stream?: z.ZodType;
  /** The HTTP route; absent only with a reason in `noHttp`. */
  readonly http?: HttpDef;
  readonly noHttp?: string;
}

export type OperationTable = Readonly<Record<string, OperationDef>>;

const id = { name: 'id', schema: RunId } as const;

/** A run is started from a task, or from a template (`template: {id, version?, vars}`) without one. */
export const StartRunRequest = z.union([RunRequest, TemplateRunRequest]);
export type StartRunRequest = z.input<typeof StartRunRequest>;

export const OPERATIONS = {
  startRun: {
    summary: 'Starts a run in the background and returns its id at once.',
    tag: 'runs',
    args: [{ name: 'request', schema: StartRunRequest }],
    result: StartedRun,
    label: 'started run',
    context: true,
    http: { method: 'POST', path: '/api/runs', status: 202, description: 'run started; follow /api/runs/{id}/events', body: 'request', startsRun: true },
  },
  listRuns: {
    summary: 'Lists and searches runs, newest first, a page at a time.',
    tag: 'runs',
    args: [{ name: 'query', schema: ListRunsQuery, optional: true }],
    result: RunPage,
    label: 'run list',
    context: false,
    http: { method: 'GET', path: '/api/runs', status: 200, description: 'a page of runs', query: 'query' },
  },
  getRun: {
    summary: "A run's artifact.",
    tag: 'runs',
    args: [id],
    result: RunArtifact,
    label: 'run',
    context: false,
    http: { method: 'GET', path: '/api/runs/:id', status: 200, description: 'the run artifact' },
  },
  deleteRun: {
    summary: 'Deletes a run.',
    tag: 'runs',
    args: [id],
    result: null,
    label: 'deletion',
    context: true,
    http: { method: 'DELETE', path: '/api/runs/:id', status: 204, description: 'deleted' },
  },
  subscribe: {
    summary:
      "The run's events as Server-Sent Events (event name = type, id = seq). Resume with Last-Event-ID or ?after=SEQ. Ends after run.done or run.error.",
    tag: 'runs',
    args: [id],
    result: null,
    label: 'run event',
    context: false,
    stream: RunEvent,
    http: { method: 'GET', path: '/api/runs/:id/events', status: 200, description: 'text/event-stream of RunEvent' },
  },
  approveRun: {
    summary: 'Approves a run pending approval: its draft is published.',
    tag: 'runs',
    args: [id, { name: 'decision', schema: Decision, optional: true }],
    result: RunArtifact,
    label: 'run',
    context: true,
    http: { method: 'POST', path: '/api/runs/:id/approve', status: 200, description: 'the updated artifact', body: 'decision', errors: { 409: 'the run is not pending approval' } },
  },
  rejectRun: {
    summary: 'Rejects a run pending approval (a reason is required).',
    tag: 'runs',
    args: [id, { name: 'decision', schema: RejectDecision }],
    result: RunArtifact,
    label: 'run',
    context: true,
    http: { method: 'POST', path: '/api/runs/:id/reject', status: 200, description: 'the updated artifact', body: 'decision', errors: { 409: 'the run is not pending approval' } },
  },
  cancelRun: {
    summary: 'Stops a running run; what exists is saved with `interrupted` set.',
    tag: 'runs',
    args: [id],
    result: null,
    label: 'cancellation',
    context: true,
    http: {
      method: 'POST',
      path: '/api/runs/:id/cancel',
      status: 202,
      description: 'cancellation requested',
      respond: { schema: StartedRun, value: (_result: unknown, args: readonly unknown[]) => ({ id: args[0] }) },
    },
  },
  replayRun: {
    summary: 'Starts a new run with the parameters of an old one.',
    tag: 'runs',
    args: [id],
    result: StartedRun,
    label: 'started run',
    context: true,
    http: { method: 'POST', path: '/api/runs/:id/replay', status: 202, description: 'the new run', startsRun: true },
  },
  listProviders: {
    summary: 'Providers and models with their status (never a key).',
    tag: 'service',
    args: [],
    result: z.array(ProviderStatus),
    label: 'provider list',
    context: false,
    http: { method: 'GET', path: '/api/providers', status: 200, description: 'providers', wrappedAs: 'providers' },
  },
  listProviderModels: {
    summary: "The model ids a configured provider lists itself (cached 10 min per provider; never a key). 400 names `id` when the provider is not configured, 503 when its listing fails.",
    tag: 'service',
    args: [{ name: 'id', schema: ProviderId }],
    result: ProviderModels,
    label: 'model list',
    context: false,
    http: { method: 'GET', path: '/api/providers/:id/models', status: 200, description: 'the models the provider lists', errors: { 503: 'the provider could not list its models' } },
  },
  projectCost: {
    summary: "Projects a run request's cost before running it.",
    tag: 'service',
    args: [{ name: 'request', schema: StartRunRequest }],
    result: CostProjection,
    label: 'cost projection',
    context: false,
    http: { method: 'POST', path: '/api/cost/projection', status: 200, description: 'projection', body: 'request' },
  },
  info: {
    summary: 'Version, storage location, outbox backlog and auth mode.',
    tag: 'service',
    args: [],
    result: ServiceInfo,
    label: 'service info',
    context: false,
    http: { method: 'GET', path: '/api/info', status: 200, description: 'service info' },
  },
  createBatch: {
    summary: 'Starts a batch: rows from CSV/JSONL/TXT text or objects, every row validated and the whole batch projected (budget_usd) before anything is stored; rows run in the background (docs/BATCH.md).',
    tag: 'runs',
    args: [{ name: 'request', schema: CreateBatchRequest }],
    result: BatchInfo,
    label: 'batch',
    context: true,
    http: { method: 'POST', path: '/api/batches', status: 202, description: 'batch accepted (or, with dry_run, validated and projected only)', body: 'request', errors: { 402: 'the batch is projected over budget_usd' } },
  },
  listBatches: {
    summary: 'Lists the batches in the store, newest first, with per-status counts merged from every worker.',
    tag: 'runs',
    args: [],
    result: z.array(BatchInfo),
    label: 'batch list',
    context: false,
    http: { method: 'GET', path: '/api/batches', status: 200, description: 'the batches' },
  },
  getBatch: {
    summary: "One batch with every row's status, run id, published model, score, cost and error.",
    tag: 'runs',
    args: [{ name: 'batchId', schema: BatchId }],
    result: BatchDetail,
    label: 'batch',
    context: false,
    http: { method: 'GET', path: '/api/batches/:batchId', status: 200, description: 'the batch and its rows' },
  },
  getBatchResults: {
    summary: "A batch's merged results as a CSV or JSONL file (base64 in JSON).",
    tag: 'runs',
    args: [
      { name: 'batchId', schema: BatchId },
      { name: 'query', schema: BatchResultsQuery, optional: true },
    ],
    result: BatchResultsFile,
    label: 'batch results',
    context: false,
    http: { method: 'GET', path: '/api/batches/:batchId/results', status: 200, description: 'the results file', query: 'query' },
  },
  // --- templates and export (docs/TEMPLATES.md) ---
  listTemplates: {
    summary: 'The template gallery: the latest version of each template, searched (q: title, description, tags, body) and filtered by tag.',
    tag: 'service',
    args: [{ name: 'query', schema: ListTemplatesQuery, optional: true }],
    result: TemplateList,
    label: 'template list',
    context: false,
    http: { method: 'GET', path: '/api/templates', status: 200, description: 'templates and any files that could not be used', query: 'query' },
  },
  getTemplate: {
    summary: 'One template: the latest version, or ?version=N.',
    tag: 'service',
    args: [
      { name: 'id', schema: TemplateId },
      { name: 'query', schema: GetTemplateQuery, optional: true },
    ],
    result: TemplateRecord,
    label: 'template',
    context: false,
    http: { method: 'GET', path: '/api/templates/:id', status: 200, description: 'the template', query: 'query' },
  },
  saveTemplate: {
    summary: 'Validates a template and saves it as the next version of its id in the team store (versions are immutable).',
    tag: 'service',
    args: [{ name: 'template', schema: TemplateDocument }],
    result: TemplateRecord,
    label: 'template',
    context: true,
    http: { method: 'POST', path: '/api/templates', status: 201, description: 'the saved version', body: 'template' },
  },
  previewTemplate: {
    summary: "Renders a template with values and projects the run's cost with its defaults; no model is called.",
    tag: 'service',
    args: [{ name: 'template', schema: TemplateRef }],
    result: TemplatePreview,
    label: 'template preview',
    context: false,
    http: { method: 'POST', path: '/api/templates/preview', status: 200, description: 'the rendered task and projected cost', body: 'template' },
  },
  exportRun: {
    summary: 'A saved run as a Markdown, HTML or DOCX document (task, published answer, scores, costs, provenance), base64-encoded.',
    tag: 'runs',
    args: [id, { name: 'query', schema: ExportQuery }],
    result: ExportedFile,
    label: 'exported file',
    context: false,
    http: { method: 'GET', path: '/api/runs/:id/export', status: 200, description: 'the file: {format, filename, content_type, base64}', query: 'query' },
  },
  listThreads: {
    summary: 'Lists threads (runs that follow up runs), newest activity first; q matches the task of any turn.',
    tag: 'runs',
    args: [{ name: 'query', schema: ListThreadsQuery, optional: true }],
    result: ThreadPage,
    label: 'thread list',
    context: false,
    http: { method: 'GET', path: '/api/threads', status: 200, description: 'a page of threads', query: 'query' },
  },
  getThread: {
    summary: "A thread: every turn by creation time and each branch (first turn → leaf). The thread id is its first run's id.",
    tag: 'runs',
    args: [id],
    result: ThreadView,
    label: 'thread',
    context: false,
    http: { method: 'GET', path: '/api/threads/:id', status: 200, description: 'the thread' },
  },
  exportThread: {
    summary: 'A whole thread as a Markdown, HTML or DOCX document (its branches, then every turn as the run export renders it), base64 in JSON.',
    tag: 'runs',
    args: [id, { name: 'query', schema: ThreadExportQuery, optional: true }],
    result: ExportedFile,
    label: 'thread export',
    context: false,
    http: { method: 'GET', path: '/api/threads/:id/export', status: 200, description: 'the thread as a file: {format, filename, content_type, base64} (?format=md|html|docx, default md)', query: 'query' },
  },
  // --- attachments (docs/THREADS.md) ---
  uploadAttachment: {
    summary:
      'Uploads one file (.md, .txt, .pdf, .csv, .json; the type is sniffed from the bytes): the raw bytes as the body, the file name in X-File-Name. Stored content-addressed beside the runs; list its id in a run request\'s `attachments`.',
    tag: 'runs',
    args: [
      { name: 'file_name', schema: AttachmentFileName },
      { name: 'file', schema: Bytes },
    ],
    result: UploadedAttachment,
    label: 'uploaded attachment',
    context: true,
    http: {
      method: 'POST',
      path: '/api/attachments',
      status: 201,
      description: 'the stored file: {id, sha256, name, bytes, media_type, outbox}',
      headers: { file_name: 'X-File-Name' },
      raw: { arg: 'file', limitEnv: 'DJP_ATTACHMENT_MAX_BYTES', defaultLimit: ATTACHMENT_MAX_BYTES_DEFAULT, field: 'file' },
      errors: { 413: 'the file is over DJP_ATTACHMENT_MAX_BYTES (default 10 MB)', 415: 'not an accepted type (.md, .txt, .pdf, .csv, .json), judged from the bytes' },
    },
  },
  getAttachment: {
    summary: "An attachment's bytes, with its sniffed media type and its file name (Content-Disposition).",
    tag: 'runs',
    args: [{ name: 'id', schema: AttachmentId }],
    result: RawFile,
    label: 'attachment',
    context: false,
    http: { method: 'GET', path: '/api/attachments/:id', status: 200, description: 'the file', file: true },
  },
} as const satisfies OperationTable;

// --- Types derived from a table -------------------------------------------------------------------
type ArgValues<A> = A extends readonly unknown[] ? { -readonly [K in keyof A]: A[K] extends { readonly schema: infer S extends z.ZodType } ? z.input<S> : never } : [];
type ResultOf<D> = D extends { readonly result: infer S extends z.ZodType } ? z.output<S> : void;
type StreamOf<D> = D extends { readonly stream: infer S extends z.ZodType } ? z.output<S> : never;

/** The request/response operations of a table (everything but the streaming ones). */
export type CallOperationOf<T> = { [K in keyof T & string]: T[K] extends { readonly stream: z.ZodType } ? never : K }[keyof T & string];
export type StreamOperationOf<T> = Exclude<keyof T & string, CallOperationOf<T>>;
export type OperationArgs<T, K extends keyof T> = ArgValues<T[K] extends { readonly args: infer A } ? A : []>;
export type OperationResult<T, K extends keyof T> = ResultOf<T[K]>;

/** The service's methods for a table's call operations: (…args, ctx?) → Promise<result>. */
export type ApiMethodsOf<T> = {
  [K in CallOperationOf<T>]: T[K] extends { readonly context: true }
    ? (...args: [...OperationArgs<T, K>, CallContext]) => Promise<ResultOf<T[K]>>
    : (...args: OperationArgs<T, K>) => Promise<ResultOf<T[K]>>;
};
/** The service's streaming methods: (…args, listener, afterSeq?) → Promise<Unsubscribe>. */
export type StreamMethodsOf<T> = {
  [K in StreamOperationOf<T>]: (...args: [...OperationArgs<T, K>, listener: (event: StreamOf<T[K]>) => void, afterSeq?: number]) => Promise<Unsubscribe>;
};
/** A client's methods for a table's call operations: no CallContext (the transport says who calls). */
export type ClientMethodsOf<T> = { [K in CallOperationOf<T>]: (...args: OperationArgs<T, K>) => Promise<ResultOf<T[K]>> };

export type Operations = typeof OPERATIONS;
export type OperationName = keyof Operations;
export type CallOperation = CallOperationOf<Operations>;
export type ApiMethods = ApiMethodsOf<Operations>;
export type StreamMethods = StreamMethodsOf<Operations>;
export type ClientMethods = ClientMethodsOf<Operations>;

/** The call (non-streaming) operation names of a table, in table order. */
export function callOperations<T extends OperationTable>(table: T): Array<CallOperationOf<T>> {
  return Object.keys(table).filter((k) => !table[k]!.stream) as Array<CallOperationOf<T>>;
}

/** OPERATIONS' call operations: what djp:call and the preload bridge carry. */
export const CALL_OPERATIONS = callOperations(OPERATIONS);

// --- Argument checks shared by every transport ----------------------------------------------------
/** True for object schemas: their errors name their own fields (`max_tokens`, `debaters.0.provider`). */
function isObjectArg(arg: ArgDef): boolean {
  const s = arg.schema;
  return s instanceof z.ZodObject || (s instanceof z.ZodUnion && (s.options as readonly unknown[]).every((o) => o instanceof z.ZodObject));
}

/**
 * Checks one argument against its schema; DjpError('invalid') naming the field. A scalar argument's
 * error names the argument (`id: …`); an object's names the offending field inside it.
 */
export function parseArg(op: string, index: number, arg: ArgDef, raw: unknown): unknown {
  if (raw === undefined && arg.optional) raw = isObjectArg(arg) ? {} : undefined;
  if (raw === undefined && arg.optional) return undefined;
  const r = arg.schema.safeParse(raw);
  if (r.success) return r.data;
  if (!isObjectArg(arg)) throw invalidFromZod(r.error.issues, { field: arg.name });
  if (raw === undefined || raw === null || typeof raw !== 'object') throw new DjpError('invalid', `${op}: argument ${index + 1} (${arg.name}) must be an object`, 'args');
  throw invalidFromZod(r.error.issues);
}

/** Checks a positional argument list (IPC, tests) against an operation; returns the parsed values. */
export function parseArgs(op: string, def: OperationDef, args: unknown): unknown[] {
  if (args === undefined || args === null) args = [];
  if (!Array.isArray(args)) throw new DjpError('invalid', 'args must be an array of the operation arguments', 'args');
  if (args.length > def.args.length) throw new DjpError('invalid', `${op} takes ${def.args.length} argument(s), got ${args.length}`, 'args');
  return def.args.map((arg, i) => parseArg(op, i, arg, args[i]));
}

/** Calls a service method for an operation with checked arguments (and the context when it takes one). */
export function invokeOperation(api: object, op: string, def: OperationDef, args: readonly unknown[], ctx?: CallContext): Promise<unknown> {
  const fn = (api as Record<string, unknown>)[op];
  if (typeof fn !== 'function') throw new DjpError('internal', `the service has no method for operation ${op}`);
  if (def.context && !ctx) throw new DjpError('unauthorized', 'not authenticated');
  return Promise.resolve((fn as (...a: unknown[]) => unknown).apply(api, def.context ? [...args, ctx] : [...args]));
}
