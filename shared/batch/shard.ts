// Which slice of a batch this worker runs, from each job engine's own task-index convention — DJP
// has no scheduler of its own. Rows are dealt round-robin by their position in the file, so every
// worker computes the same split from the same file.
import { BatchInputError } from './source.js';

export interface Shard {
  index: number;
  count: number;
  /** Where the index came from, for progress lines: "--shard", "Cloud Run Jobs", … */
  source: string;
}

export const NO_SHARD: Shard = { index: 0, count: 1, source: 'single worker' };

function int(value: string, name: string): number {
  if (!/^\d+$/.test(value.trim())) throw new BatchInputError(`${name} must be a whole number (got "${value}")`);
  return Number(value.trim());
}

function check(index: number, count: number, source: string, names: string): Shard {
  if (count < 1) throw new BatchInputError(`${names}: the shard count must be at least 1`);
  if (index >= count) throw new BatchInputError(`${names}: index ${index} is not below the shard count ${count}`);
  return { index, count, source };
}

/**
 * `--shard i/n` wins; else Cloud Run Jobs (CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT), AWS Batch
 * array jobs (AWS_BATCH_JOB_ARRAY_INDEX with --shards or AWS_BATCH_JOB_ARRAY_SIZE, which the job
 * definition sets: AWS Batch itself exports only the index), Kubernetes Indexed Jobs
 * (JOB_COMPLETION_INDEX with --shards, the Job's `completions`). Otherwise one worker does it all.
 */
export function resolveShard(env: Record<string, string | undefined>, flags: { shard?: string; shards?: number } = {}): Shard {
  if (flags.shard !== undefined) {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(flags.shard);
    if (!m) throw new BatchInputError(`--shard takes i/n, e.g. 0/3 (got "${flags.shard}")`);
    return check(Number(m[1]), Number(m[2]), '--shard', '--shard');
  }
  const shards = flags.shards;
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1)) throw new BatchInputError(`--shards must be a whole number ≥ 1 (got ${shards})`);
  if (env.CLOUD_RUN_TASK_INDEX !== undefined && env.CLOUD_RUN_TASK_INDEX !== '') {
    const count = env.CLOUD_RUN_TASK_COUNT ? int(env.CLOUD_RUN_TASK_COUNT, 'CLOUD_RUN_TASK_COUNT') : shards;
    if (count === undefined) throw new BatchInputError('CLOUD_RUN_TASK_INDEX is set but CLOUD_RUN_TASK_COUNT is not (or pass --shards N)');
    return check(int(env.CLOUD_RUN_TASK_INDEX, 'CLOUD_RUN_TASK_INDEX'), count, 'Cloud Run Jobs', 'CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT');
  }
  if (env.AWS_BATCH_JOB_ARRAY_INDEX !== undefined && env.AWS_BATCH_JOB_ARRAY_INDEX !== '') {
    const count = shards ?? (env.AWS_BATCH_JOB_ARRAY_SIZE ? int(env.AWS_BATCH_JOB_ARRAY_SIZE, 'AWS_BATCH_JOB_ARRAY_SIZE') : undefined);
    if (count === undefined) throw new BatchInputError('AWS_BATCH_JOB_ARRAY_INDEX is set: pass --shards N (the array size) or set AWS_BATCH_JOB_ARRAY_SIZE in the job definition');
    return check(int(env.AWS_BATCH_JOB_ARRAY_INDEX, 'AWS_BATCH_JOB_ARRAY_INDEX'), count, 'AWS Batch array job', 'AWS_BATCH_JOB_ARRAY_INDEX');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== '') {
    if (shards === undefined) throw new BatchInputError('JOB_COMPLETION_INDEX is set: pass --shards N (the Indexed Job\'s completions)');
    return check(int(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX'), shards, 'Kubernetes Indexed Job', 'JOB_COMPLETION_INDEX');
  }
  if (shards !== undefined && shards !== 1) throw new BatchInputError('--shards needs a task index: --shard i/n, CLOUD_RUN_TASK_INDEX, AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX');
  return NO_SHARD;
}

/** This worker's rows: position % count === index (positions in file order). */
export function selectShard<T>(rows: readonly T[], shard: Shard): T[] {
  return rows.filter((_, i) => i % shard.count === shard.index);
}
