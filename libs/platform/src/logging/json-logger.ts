import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';

/**
 * Nest's logger as JSON lines on stdout (pino). `new Logger(Context).log(...)` anywhere in the
 * services lands here once bootstrap has called app.useLogger(). Nest passes the context as the
 * last extra argument; an error's stack as the one before it.
 */
export class JsonLogger implements LoggerService {
  readonly pino: Pino;

  constructor(serviceName: string, level: string, destination: pino.DestinationStream = pino.destination(1)) {
    this.pino = pino({ level, base: { service: serviceName } }, destination);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const extra = [...rest];
    if (extra.length > 0) fields.context = extra.pop();
    // Nest's own exception handlers call error(message, stack, context).
    const stack = level === 'error' && typeof extra[0] === 'string' && /\n\s*at /.test(extra[0]) ? (extra.shift() as string) : undefined;
    // An object (or error) first, then pino's own (message, ...interpolation values).
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, ...((extra.length ? extra : [message.message]) as [string]));
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message }, ...(extra as [string]));
    } else {
      if (stack) fields.err = { message: String(message), stack };
      this.pino[level](fields, String(message), ...extra);
    }
  }
}
