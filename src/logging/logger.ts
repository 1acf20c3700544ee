import type { LogLevel as TemporalLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/worker';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { storage } from 'nestjs-pino/storage';
import pino, { type Logger } from 'pino';
import type { Params } from 'nestjs-pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { nominationIdOfWorkflow } from '../domain/nomination';

export type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The process's one logger: pino, one JSON object per line on stdout ({ level, time, msg, ...meta }), the
 * format every part logs in (runtime, Nest, HTTP requests, Temporal worker, workflows and activities), so
 * a log shipper can index reqId, nominationId and workflowId wherever they appear.
 */
export const rootLogger: Logger = pino({
  level: 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  serializers: { err: pino.stdSerializers.err },
  // Request lines carry the headers: a bearer token or a cookie never reaches the logs.
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
});

export function setLogLevel(level: Level): void {
  rootLogger.level = level;
}

/** The logger of the request being served (its lines carry reqId), or the root logger outside one. */
export function currentLogger(): Logger {
  return storage.getStore()?.logger ?? rootLogger;
}

export function jsonLog(level: Level, msg: string, meta: Record<string, unknown> = {}): void {
  currentLogger()[level](meta, msg);
}

/** A logger bound to a component name, the shape runtime helpers take. */
export function componentLogger(component: string) {
  const logger = rootLogger.child({ component });
  return (msg: string, meta: Record<string, unknown> = {}, level: Level = 'info') => logger[level](meta, msg);
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** pino-http for nestjs-pino: a request id on each request's lines, the caller's X-Request-Id when sane. */
export const httpLogging: PinoHttpOptions = {
  logger: rootLogger,
  genReqId: (req: IncomingMessage, res: ServerResponse) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    return id;
  },
  customAttributeKeys: { reqId: 'reqId' },
  // Answered errors are logged where they are answered (HttpErrorFilter); completions only when debugging.
  customLogLevel: (_req, res) => (res.statusCode >= 500 ? 'warn' : 'debug'),
  quietReqLogger: true,
};

/** nestjs-pino's settings: Nest's own messages and each request's lines, with the Nest context as component. */
export const NEST_LOGGING: Params = { pinoHttp: httpLogging, renameContext: 'component' };

/**
 * Temporal's logs (worker, workflows through the sinks, activities with their workflowId) through pino;
 * the nomination id is derived from a nomination workflow's id, so its lines can be found by either.
 */
export function temporalLogger(): TemporalLogger {
  const logger = rootLogger.child({ component: 'temporal' });
  const write = (level: TemporalLevel, message: string, meta: LogMetadata = {}) => {
    const workflowId = typeof meta.workflowId === 'string' ? meta.workflowId : undefined;
    const nominationId = workflowId ? nominationIdOfWorkflow(workflowId) : undefined;
    const line = nominationId && meta.nominationId === undefined ? { ...meta, nominationId } : meta;
    const pinoLevel = level === 'TRACE' || level === 'DEBUG' ? 'debug' : (level.toLowerCase() as Level);
    logger[pinoLevel](line, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
