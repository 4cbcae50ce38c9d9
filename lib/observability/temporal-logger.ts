/**
 * The Temporal SDK's logger (Runtime.install) writing to pino: the workflow's `log`, the activity
 * context's logger, the worker's own and the Rust core's forwarded messages all become JSON lines
 * with the SDK's metadata (workflowId, runId, activityType, taskQueue…) plus publisherId and offerId.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { offerFieldsOf, type Logger } from './logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly pino: Logger) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    // The task token would let its holder complete the activity: never logged. An activity's run id is `runId` like everyone else's.
    const { error, taskToken: _token, workflowRunId, ...rest } = meta as LogMetadata & { error?: unknown; taskToken?: unknown; workflowRunId?: unknown };
    const fields = {
      ...rest,
      ...(workflowRunId !== undefined ? { runId: workflowRunId } : {}),
      ...offerFieldsOf(rest.workflowId),
      ...(error !== undefined ? { err: error } : {}),
    };
    this.pino[LEVELS[level] ?? 'info'](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
