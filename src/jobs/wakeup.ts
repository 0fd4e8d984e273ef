/** Idle workers waiting for work: each waits until woken or until its poll interval has passed. */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Wakes one idle worker, if any is waiting. */
  wakeOne(): void {
    const first = this.waiters.values().next();
    if (!first.done) first.value();
  }

  wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
