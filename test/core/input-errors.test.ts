// Input errors with a position are DjpError('invalid') naming the field (CLI exit 2, HTTP 400, IPC
// {code, field}): a batch row/column (shared/batch) and a template body line/column (shared/templates).
import { describe, expect, it } from 'vitest';
import { isDjpError } from '../../shared/api/index.js';
import { BatchInputError, planRows } from '../../shared/batch/index.js';
import { BodyError, renderBody } from '../../shared/templates/index.js';

describe('input errors are DjpErrors', () => {
  it('a batch row error names its column (else source) and keeps row and column', () => {
    const e = new BatchInputError('must be text', 3, 'task');
    expect(isDjpError(e)).toBe(true);
    expect(e).toMatchObject({ code: 'invalid', field: 'task', row: 3, column: 'task', message: 'row 3, column "task": must be text' });
    expect(new BatchInputError('duplicate', 4)).toMatchObject({ code: 'invalid', field: 'source' });
    let thrown: unknown;
    try {
      planRows([]);
    } catch (x) {
      thrown = x;
    }
    expect(isDjpError(thrown) && thrown.code).toBe('invalid');
  });

  it('a template body error names body and keeps the line and column', () => {
    let thrown: unknown;
    try {
      renderBody('Hello {{ name ', {});
    } catch (x) {
      thrown = x;
    }
    expect(thrown).toBeInstanceOf(BodyError);
    expect(thrown).toMatchObject({ code: 'invalid', field: 'body' });
    expect(isDjpError(thrown)).toBe(true);
  });
});
