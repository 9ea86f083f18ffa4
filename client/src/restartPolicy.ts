/** How often the client restarts a crashed daemon: at most `max` restarts within `windowMs`. Pure; unit-tested. */
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    readonly max = 3,
    readonly windowMs = 3 * 60_000,
  ) {}

  /** Records a crash at `now` (ms); true when the daemon may be restarted, false when the client should give up. */
  onCrash(now: number): boolean {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    if (this.crashes.length >= this.max) return false;
    this.crashes.push(now);
    return true;
  }

  /** Restarts so far within the window. */
  get count(): number {
    return this.crashes.length;
  }

  /** After a restart the user asked for, crashes count from zero again. */
  reset(): void {
    this.crashes = [];
  }
}
