import type { SavedAnswer } from "./journal.js";

/** Stripe keeps a key's answer for 24 hours; a key used again after that runs the request anew. */
export const IDEMPOTENCY_KEY_LIFETIME_SECONDS = 24 * 60 * 60;

export function answerExpired(answer: SavedAnswer, now: number): boolean {
  return now - answer.savedAt >= IDEMPOTENCY_KEY_LIFETIME_SECONDS;
}

/** Forgets the answers whose keys have expired, so neither memory nor a compacted journal keeps them. */
export function dropExpiredAnswers(answers: Map<string, SavedAnswer>, now: number): void {
  for (const [key, answer] of answers) if (answerExpired(answer, now)) answers.delete(key);
}
