// Batch input parsing, row validation, keys and the job engines' shard conventions.
import { describe, expect, it } from 'vitest';
import { BatchInputError, formatFromName, parseBatchSource, planRows, resolveShard, rowKey, selectShard } from '../../shared/batch/index.js';

const errOf = (f: () => unknown): BatchInputError => {
  try {
    f();
  } catch (e) {
    if (e instanceof BatchInputError) return e;
    throw e;
  }
  throw new Error('expected a BatchInputError');
};

describe('batch files', () => {
  it('reads CSV with a header, quoted multi-line fields, CRLF and a BOM; row numbers are file lines', () => {
    const rows = parseBatchSource('\uFEFFkey,task\r\na1,First task\r\na2,"Second\r\ntask, with a comma"\r\n\r\na3,Third\r\n', 'csv');
    expect(rows.map((r) => [r.n, r.fields.key, r.fields.task])).toEqual([
      [2, 'a1', 'First task'],
      [3, 'a2', 'Second\ntask, with a comma'],
      [6, 'a3', 'Third'],
    ]);
  });

  it('reads JSONL and TXT, skipping blank lines and keeping line numbers', () => {
    expect(parseBatchSource('{"task":"a"}\n\n{"task":"b","key":"k2"}\n', 'jsonl').map((r) => [r.n, r.fields])).toEqual([
      [1, { task: 'a' }],
      [3, { task: 'b', key: 'k2' }],
    ]);
    expect(parseBatchSource('one\n\n  two  \n', 'txt').map((r) => [r.n, r.fields.task])).toEqual([
      [1, 'one'],
      [3, 'two'],
    ]);
  });

  it('names the line of a broken JSONL or CSV row', () => {
    expect(errOf(() => parseBatchSource('{"task":"a"}\n{"task":\n', 'jsonl')).row).toBe(2);
    expect(errOf(() => parseBatchSource('{"task":"a"}\n[1,2]\n', 'jsonl')).message).toMatch(/row 2: each line must be a JSON object/);
    const csv = errOf(() => parseBatchSource('key,task\na,b\nc,d,e\n', 'csv'));
    expect(csv.message).toMatch(/not valid CSV/);
    expect(csv.row).toBe(3);
  });

  it('tells the format from the file name, and refuses others', () => {
    expect(formatFromName('x/tasks.CSV')).toBe('csv');
    expect(formatFromName('t.ndjson')).toBe('jsonl');
    expect(formatFromName('t.txt')).toBe('txt');
    expect(errOf(() => formatFromName('t.xlsx')).message).toMatch(/\.csv, \.jsonl or \.txt/);
  });
});

describe('planning rows', () => {
  it('checks every row before anything runs, naming the row and column', () => {
    expect(errOf(() => planRows(parseBatchSource('key,prompt\na,hello\n', 'csv'))).message).toBe('row 2, column "task": missing (each row needs a task, or use --template)');
    expect(errOf(() => planRows(parseBatchSource('key,task\na,ok\nb,\n', 'csv'))).message).toBe('row 3, column "task": must not be empty');
    expect(errOf(() => planRows(parseBatchSource(`{"task":"${'x'.repeat(50_001)}"}\n`, 'jsonl'))).message).toMatch(/row 1, column "task": is longer than 50,000/);
    expect(errOf(() => planRows(parseBatchSource('{"task":5}\n', 'jsonl'))).message).toBe('row 1, column "task": must be text');
    expect(errOf(() => planRows(parseBatchSource('key,task\na/b,x\n', 'csv'))).column).toBe('key');
    expect(errOf(() => planRows([]))).toBeInstanceOf(BatchInputError);
  });

  it('keys come from key or id, else a content hash; duplicates are refused', () => {
    expect(rowKey({ id: 'r-7', task: 't' }, 1)).toBe('r-7');
    const h = rowKey({ task: 'same' }, 1);
    expect(h).toMatch(/^h-[0-9a-f]{20}$/);
    expect(rowKey({ task: 'same' }, 9)).toBe(h); // position does not matter
    expect(rowKey({ task: 'other' }, 1)).not.toBe(h);
    expect(errOf(() => planRows(parseBatchSource('same\nsame\n', 'txt'))).message).toMatch(/row 2: the row key "h-.*" is already used by row 1 \(an identical row\)/);
    expect(errOf(() => planRows(parseBatchSource('key,task\nk,a\nk,b\n', 'csv'))).message).toMatch(/row 3, column "key": .*already used by row 2/);
  });

  it('a renderer (templates) supplies the task and its errors name the variable', () => {
    const rows = parseBatchSource('name\nAda\n\n', 'csv');
    expect(planRows(rows, { render: (f) => `Hello ${String(f.name)}` })[0]?.task).toBe('Hello Ada');
    const e = errOf(() =>
      planRows(rows, {
        render: () => {
          throw Object.assign(new Error('customer is required'), { field: 'customer' });
        },
      }),
    );
    expect(e.message).toBe('row 2, column "customer": customer is required');
  });
});

describe('shards from the job engines', () => {
  it('reads each engine’s own task index', () => {
    expect(resolveShard({ CLOUD_RUN_TASK_INDEX: '2', CLOUD_RUN_TASK_COUNT: '3' })).toEqual({ index: 2, count: 3, source: 'Cloud Run Jobs' });
    expect(resolveShard({ AWS_BATCH_JOB_ARRAY_INDEX: '4' }, { shards: 5 })).toMatchObject({ index: 4, count: 5 });
    expect(resolveShard({ AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '2' })).toMatchObject({ index: 1, count: 2 });
    expect(resolveShard({ JOB_COMPLETION_INDEX: '0' }, { shards: 3 })).toMatchObject({ index: 0, count: 3, source: 'Kubernetes Indexed Job' });
    expect(resolveShard({ CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '3' }, { shard: '1/4' })).toMatchObject({ index: 1, count: 4, source: '--shard' });
    expect(resolveShard({})).toEqual({ index: 0, count: 1, source: 'single worker' });
  });

  it('says what is missing or wrong', () => {
    expect(errOf(() => resolveShard({ JOB_COMPLETION_INDEX: '0' })).message).toMatch(/--shards N/);
    expect(errOf(() => resolveShard({ AWS_BATCH_JOB_ARRAY_INDEX: '0' })).message).toMatch(/AWS_BATCH_JOB_ARRAY_SIZE/);
    expect(errOf(() => resolveShard({ CLOUD_RUN_TASK_INDEX: '3', CLOUD_RUN_TASK_COUNT: '3' })).message).toMatch(/index 3 is not below the shard count 3/);
    expect(errOf(() => resolveShard({}, { shard: '2' })).message).toMatch(/--shard takes i\/n/);
    expect(errOf(() => resolveShard({}, { shards: 3 })).message).toMatch(/needs a task index/);
    expect(errOf(() => resolveShard({ CLOUD_RUN_TASK_INDEX: 'x', CLOUD_RUN_TASK_COUNT: '2' })).message).toMatch(/CLOUD_RUN_TASK_INDEX must be a whole number/);
  });

  it('splits rows deterministically and completely', () => {
    const rows = Array.from({ length: 10 }, (_, i) => i);
    const parts = [0, 1, 2].map((index) => selectShard(rows, { index, count: 3, source: 't' }));
    expect(parts).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(rows);
  });
});
