import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';

/** How often each sweep runs. */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Runs `sweep()` once a minute while the worker runs, never two at once,
 * and waits for a running sweep at shutdown. A failed sweep is logged and
 * the next minute tries again.
 */
export abstract class PeriodicSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  protected constructor(
    protected readonly logger: PinoLogger,
    private readonly failureMessage: string,
  ) {}

  /** Queues what was left behind and returns how many rows it queued. */
  abstract sweep(): Promise<number>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepSafely(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async sweepSafely(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep();
    try {
      await this.running;
    } catch (error) {
      this.logger.error({ err: error }, this.failureMessage);
    } finally {
      this.running = undefined;
    }
  }
}
