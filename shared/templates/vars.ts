// The variable checks live in shared/api (browser-safe) so the UI's form runs the same code.
export * from '../api/template-vars.js';
