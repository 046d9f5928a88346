// Loads .env into process.env WITHOUT overriding variables already set. Called from entry points
// (the CLI, the server), never from library code.
import { existsSync } from 'node:fs';
import { config } from 'dotenv';

export function loadDotEnv(path = '.env'): { loaded: boolean; path: string } {
  if (!existsSync(path)) return { loaded: false, path };
  config({ path, override: false, quiet: true });
  return { loaded: true, path };
}
