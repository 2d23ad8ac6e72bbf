/**
 * The emulator's time: its clock, unless some work runs at a test clock's frozen time. Requests are handled one at a
 * time and synchronously, so a stack of times is enough; nested work (an advance that renews at each period's end)
 * pushes its own.
 */
export class Timeline {
  private readonly frozen: number[] = [];

  constructor(private readonly clock: () => number) {}

  /** Unix seconds. */
  now(): number {
    return this.frozen.at(-1) ?? this.clock();
  }

  at<T>(time: number, work: () => T): T {
    this.frozen.push(time);
    try {
      return work();
    } finally {
      this.frozen.pop();
    }
  }
}
