// The logging the run store needs. pino loggers fit (`warn(obj, msg)`); the default writes to stderr.
export interface StoreLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
}

export const stderrLogger: StoreLogger = {
  warn: (fields, msg) => process.stderr.write(`warn: ${msg} ${JSON.stringify(fields)}\n`),
  info: (fields, msg) => process.stderr.write(`info: ${msg} ${JSON.stringify(fields)}\n`),
};

export const silentLogger: StoreLogger = { warn: () => undefined, info: () => undefined };
