/** Now. One type for every clock the inbox reads, so that a test injects one clock for all of them. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
