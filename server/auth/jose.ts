// jose is loaded on first use: DJP_AUTH=none never needs it, and the server starts faster without it.
let loading: Promise<typeof import('jose')> | null = null;

export function loadJose(): Promise<typeof import('jose')> {
  return (loading ??= import('jose'));
}
