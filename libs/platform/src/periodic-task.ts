import { Logger } from '@nestjs/common';

/**
 * A background job run every `everyMs`: never two runs at once, failures logged and retried on
 * the next tick, and stop() waits for a run in progress (called from onModuleDestroy, before the
 * database pool closes).
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<unknown>,
    private readonly logger = new Logger(name),
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.runOnce(), everyMs);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = this.work()
      .catch((err) => this.logger.warn({ err: (err as Error).message }, `${this.name} failed; will retry`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
