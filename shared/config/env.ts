// Loads .env into process.env WITHOUT overriding variables already set. Called from entry points
// (the CLI, the server), never from library code.
import { existsSync } from 'node:fs';
import { config } from 'dotenv';

/** The environment as every layer reads it (process.env, or a test's own object): the one Env type. */
export type Env = Record<string, string | undefined>;

export function loadDotEnv(path = '.env'): { loaded: boolean; path: string } {
  if (!existsSync(path)) return { loaded: false, path };
  config({ path, override: false, quiet: true });
  return { loaded: true, path };
}
