import type { LoggerService } from '@nestjs/common';
import { jsonLog, type Level } from './json-log';

/** Nest's own messages in the same JSON line format as everything else, with the Nest context as component. */
export class NestJsonLogger implements LoggerService {
  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string) {
    // Nest passes (message, stack, context) for errors and (message, context) otherwise.
    const stack = context !== undefined ? stackOrContext : undefined;
    this.write('error', message, context ?? stackOrContext, stack ? { stack } : {});
  }
  fatal(message: unknown, stackOrContext?: string, context?: string) {
    this.error(message, stackOrContext, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('debug', message, context);
  }

  private write(level: Level, message: unknown, context?: string, extra: Record<string, unknown> = {}) {
    const msg =
      typeof message === 'string'
        ? message
        : message instanceof Error
          ? message.message
          : JSON.stringify(message);
    jsonLog(level, msg, { component: context ?? 'nest', ...extra });
  }
}
