export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: Level = 'info';

export function setLogLevel(level: Level): void {
  threshold = level;
}

/**
 * One JSON object per line on stdout, the format every part of the process logs in (runtime, Nest,
 * Temporal worker), so a log shipper can index nominationId and workflowId wherever they appear.
 */
export function jsonLog(
  level: Level,
  msg: string,
  meta: Record<string, unknown> = {},
  time = new Date(),
): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const line = JSON.stringify({ time: time.toISOString(), level, msg, ...meta }, (_k, v) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v,
  );
  process.stdout.write(line + '\n');
}

/** A logger bound to a component name, the shape runtime helpers take. */
export function componentLogger(component: string) {
  return (msg: string, meta: Record<string, unknown> = {}, level: Level = 'info') =>
    jsonLog(level, msg, { component, ...meta });
}
