// The one zod → DjpError conversion (shared/api/errors.ts invalidFromZod / parseOrInvalid): every
// layer reports a bad value as DjpError('invalid') naming the field, in one of these shapes.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DjpError, RunId, parseOrInvalid } from '../../shared/api/index.js';

const Rules = z.object({ rules: z.array(z.object({ name: z.string().regex(/^[a-z]+$/, 'must be a-z') })) }).strict();
const caught = (f: () => unknown): DjpError => {
  try {
    f();
  } catch (e) {
    return e as DjpError;
  }
  throw new Error('did not throw');
};

describe('zod → DjpError', () => {
  it('a request object: the first offending field is the message prefix and the field', () => {
    const e = caught(() => parseOrInvalid(Rules, { rules: [{ name: 'ok' }, { name: 'Bad' }] }));
    expect(e).toBeInstanceOf(DjpError);
    expect(e).toMatchObject({ code: 'invalid', field: 'rules.1.name', message: 'rules.1.name: must be a-z' });
  });

  it('a scalar argument: named by `field`', () => {
    const e = caught(() => parseOrInvalid(RunId, 'nope', { field: 'id' }));
    expect(e).toMatchObject({ code: 'invalid', field: 'id', message: 'id: "nope" is not a run id (a 26-character ULID)' });
  });

  it('a file or nested value: its own label and field, the path in the message, brackets on request', () => {
    const e = caught(() => parseOrInvalid(Rules, { rules: [{ name: 'X' }] }, { field: 'redaction_rules', label: 'redaction_rules: r.json', indexes: 'brackets' }));
    expect(e).toMatchObject({ field: 'redaction_rules', message: 'redaction_rules: r.json: rules[0].name: must be a-z' });
    const p = caught(() => parseOrInvalid(Rules, { rules: [{ name: 'X' }] }, { prefix: ['template', 'vars'] }));
    expect(p).toMatchObject({ field: 'template.vars.rules.0.name', message: 'template.vars.rules.0.name: must be a-z' });
  });

  it('a valid value comes back parsed', () => {
    expect(parseOrInvalid(Rules, { rules: [{ name: 'ok' }] })).toEqual({ rules: [{ name: 'ok' }] });
  });
});
