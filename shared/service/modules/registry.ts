// Service modules: each domain (runs, approvals, threads, …) is a small module that, given the
// shared ServiceContext, returns the operations it implements. registerModules() puts them together
// into one object; two modules registering the same operation name is an error at start, naming
// both modules. Adding a domain: a file here, one entry in SERVICE_MODULES (./index.ts). What the
// modules register together must be a DjpService (createDjpService is type-checked against it).
import type { ServiceContext } from '../context.js';
import type { DjpService } from '../index.js';

/** Members of the service a module may register (every one except the lifecycle hub, the context's own). */
export type ServiceMembers = Omit<DjpService, 'lifecycle'>;

export interface ServiceModule<T extends object = Partial<ServiceMembers>> {
  readonly name: string;
  readonly create: (ctx: ServiceContext) => T;
}

export function defineModule<T extends object>(name: string, create: (ctx: ServiceContext) => T): ServiceModule<T> {
  return { name, create };
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
export type Registered<M extends readonly ServiceModule<object>[]> = UnionToIntersection<ReturnType<M[number]['create']>>;

export function registerModules<const M extends readonly ServiceModule<object>[]>(ctx: ServiceContext, modules: M): Registered<M> {
  const owner = new Map<string, string>();
  const out: Record<string, unknown> = {};
  for (const m of modules) {
    const part = m.create(ctx);
    for (const key of Object.keys(part)) {
      const prev = owner.get(key);
      if (prev !== undefined) throw new Error(`service modules "${prev}" and "${m.name}" both register "${key}": an operation belongs to one module`);
      owner.set(key, m.name);
      out[key] = (part as Record<string, unknown>)[key];
    }
  }
  return out as Registered<M>;
}
