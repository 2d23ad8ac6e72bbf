import { PayloadError } from "../errors.js";

/** What every adapter hands the core: the request as received, with the body still unread. */
export interface IncomingDelivery {
  method: string;
  header(name: string): string | null;
  /**
   * Resolves to the raw body bytes; rejects with a `payload_too_large` PayloadTooLarge beyond `limit`. Calls
   * `onBytes` with the total read so far after each chunk, and stops with what it throws.
   */
  readBody(limit: number, onBytes?: (total: number) => void): Promise<Uint8Array>;
  sourceAddress: string | null;
}

/** What the core answers; adapters copy it onto their framework's response. */
export interface WebhookReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class PayloadTooLarge extends PayloadError {
  constructor(
    readonly limit: number,
    readonly bytesSeen: number,
  ) {
    super("payload_too_large", `The body is larger than the limit of ${limit} bytes.`);
  }
}

/** Rejects early on a declared Content-Length over the limit, before reading a byte. */
export function checkDeclaredLength(contentLength: string | null | undefined, limit: number): void {
  const declared = contentLength ? Number(contentLength) : Number.NaN;
  if (declared > limit) throw new PayloadTooLarge(limit, declared);
}

/** Collects chunks up to `limit`, for node streams and web streams alike. */
export async function collectBody(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
  onBytes?: (total: number) => void,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > limit) throw new PayloadTooLarge(limit, total);
    onBytes?.(total);
    parts.push(chunk);
  }
  return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, total);
}
