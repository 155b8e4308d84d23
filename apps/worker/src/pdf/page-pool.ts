/** Frees a slot taken from a PagePool. Calls after the first have no effect. */
export type ReleaseSlot = () => void;

interface Waiter {
  grant: (release: ReleaseSlot) => void;
  reject: (error: Error) => void;
}

/**
 * A fixed number of page slots. A render takes a slot before its page opens
 * and frees it after the page has closed, so at most `size` pages are open.
 * Renders that find every slot taken wait in first-in, first-out order.
 */
export class PagePool {
  private inUse = 0;
  private readonly waiters: Waiter[] = [];
  private peakInUseCount = 0;
  private peakWaitingCount = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`PagePool size must be a positive integer, got ${size}`);
    }
  }

  get active(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get peakActive(): number {
    return this.peakInUseCount;
  }

  get peakWaiting(): number {
    return this.peakWaitingCount;
  }

  /**
   * Takes a free slot, or queues for the next one. The slot count is checked
   * synchronously, so calls made in one tick are served in call order.
   */
  acquire(): Promise<ReleaseSlot> {
    if (this.inUse < this.size) {
      return Promise.resolve(this.take());
    }

    return new Promise<ReleaseSlot>((grant, reject) => {
      this.waiters.push({ grant, reject });
      this.peakWaitingCount = Math.max(this.peakWaitingCount, this.waiters.length);
    });
  }

  /** Rejects every queued request with `error`. Slots already taken stay taken until released. */
  rejectWaiting(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(error);
    }
  }

  private take(): ReleaseSlot {
    this.inUse += 1;
    this.peakInUseCount = Math.max(this.peakInUseCount, this.inUse);

    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOver();
    };
  }

  /** Passes a freed slot straight to the oldest waiter, so a newcomer cannot jump the queue. */
  private handOver(): void {
    this.inUse -= 1;
    const next = this.waiters.shift();
    if (next) next.grant(this.take());
  }
}
