// The contract shared by core, transports and UI. Browser-safe: zod only, nothing from Node.
export * from './run-request.js';
export * from './artifact.js';
export * from './notification.js';
export * from './contract.js';
export * from './errors.js';
export * from './bridge.js';
export * from './template.js';
export * from './template-preview.js';
export * from './template-vars.js';
export * from './export.js';
export * from './thread.js';
export * from './file.js';
export * from './batch.js';
export * from './ids.js';
export * from './operations.js';
export * from './lifecycle.js';
export * from './stream.js';
