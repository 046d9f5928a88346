export { createServer, type DjpServer } from './server.js';
export { createLogger, type Redactor } from './logger.js';
export { buildOpenApi } from './openapi.js';
export { ROUTES } from './routes.js';
export type { DrainableApi, ServerOptions } from './types.js';
