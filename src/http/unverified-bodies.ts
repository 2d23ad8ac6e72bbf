/** The default bound on bytes of bodies read or being verified at once, before anyone knows who sent them. */
export const DEFAULT_MAX_UNVERIFIED_BYTES = 16 * 1024 * 1024;

/** One body's share of the bound, from before its first byte to the end of its signature check. */
export interface UnverifiedBody {
  /** Grows the share to `bytes` (the body read so far); false when that would pass the bound. */
  cover(bytes: number): boolean;
  release(): void;
}

/**
 * Counts the bytes of request bodies between their first byte and the end of their signature check. Anyone can
 * open connections and send large bodies; past the bound, requests are refused instead of read.
 */
export class UnverifiedBodies {
  private bytes = 0;
  private bodies = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * Admits a body with `declared` bytes reserved (its Content-Length; 0 when unknown), or null when that would pass
   * the bound. A body alone is always admitted and may grow to the body limit: a bound below that limit slows
   * deliveries down instead of refusing the largest forever.
   */
  admit(declared: number): UnverifiedBody | null {
    if (!this.fits(declared)) return null;
    this.bodies++;
    this.bytes += declared;
    let share = declared;
    let released = false;
    return {
      cover: (bytes) => {
        if (released || bytes <= share) return true;
        if (this.bodies > 1 && this.bytes + bytes - share > this.maxBytes) return false;
        this.bytes += bytes - share;
        share = bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.bytes -= share;
        this.bodies--;
      },
    };
  }

  private fits(bytes: number): boolean {
    return this.bodies === 0 || this.bytes + bytes <= this.maxBytes;
  }
}
