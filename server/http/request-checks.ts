// Checks the server adds on top of the contract's schemas. Over HTTP, run options that name files
// on the server (grounded_corpus, redaction_rules, a policy file) could read anything the process can,
// so they are refused unless DJP_SERVER_DATA_DIR is set — and then must resolve inside it.
import { isAbsolute, relative, resolve } from 'node:path';
import { DjpError, POLICY_NAMES, type RunRequest } from '../../shared/api/index.js';

const PATH_FIELDS = ['grounded_corpus', 'redaction_rules'] as const;

function insideDataDir(field: string, value: string, dataDir: string | null | undefined): string {
  if (!dataDir) {
    throw new DjpError('invalid', `${field}: server-side paths are not accepted over HTTP (the operator can allow a folder with DJP_SERVER_DATA_DIR)`, field);
  }
  const root = resolve(dataDir);
  const full = resolve(root, value);
  const rel = relative(root, full);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new DjpError('invalid', `${field}: must be inside the server's data folder`, field);
  return full;
}

/** A run request, with or without a template: the fields that may name server-side files. */
type PathFields = Pick<RunRequest, 'grounded_corpus' | 'redaction_rules' | 'policy'>;

export function checkServerRequest<T extends PathFields>(request: T, dataDir: string | null | undefined): T {
  const out: T = { ...request };
  for (const f of PATH_FIELDS) {
    const v = out[f];
    if (v !== undefined) out[f] = insideDataDir(f, v, dataDir);
  }
  if (out.policy !== undefined && !(POLICY_NAMES as readonly string[]).includes(out.policy)) {
    if (/[\\/]|\.json$/i.test(out.policy)) out.policy = insideDataDir('policy', out.policy, dataDir);
  }
  return out;
}
