/** A first-in first-out mutex: waiters are served strictly in arrival order. */
export class FifoMutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  /** Resolves when the caller holds the lock; call the returned function exactly once to release it. */
  async lock(): Promise<() => void> {
    if (this.#locked) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#locked = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#locked = false;
    };
  }

  /** Runs fn while holding the lock. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  get waiting(): number {
    return this.#waiters.length;
  }
}
