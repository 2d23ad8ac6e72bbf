import { SignatureError } from "../errors.js";

export interface SignatureHeader {
  timestamp: number;
  /** Every `v1=` value: Stripe sends several while an endpoint's secret is being rolled. */
  v1: string[];
  /** Scheme names seen, to explain a header that carries only `v0` or an unknown scheme. */
  schemes: string[];
}

const MAX_HEADER_LENGTH = 8192;

/** Parses `t=1700000000,v1=abc...,v0=...`; unknown schemes are kept only as names. */
export function parseSignatureHeader(value: string | null): SignatureHeader {
  if (value === null || value.trim() === "") {
    throw new SignatureError(
      "signature_missing",
      "No Stripe-Signature header. Stripe signs every webhook; if this request came through a proxy, make it forward the Stripe-Signature header unchanged.",
    );
  }
  if (value.length > MAX_HEADER_LENGTH) {
    throw new SignatureError("signature_header_malformed", "The Stripe-Signature header is implausibly long.");
  }
  let timestamp: number | undefined;
  const v1: string[] = [];
  const schemes: string[] = [];
  for (const part of value.split(",")) {
    const separator = part.indexOf("=");
    if (separator <= 0) continue;
    const key = part.slice(0, separator).trim();
    const item = part.slice(separator + 1).trim();
    if (key === "t") {
      timestamp = /^\d{1,12}$/.test(item) ? Number(item) : Number.NaN;
    } else {
      schemes.push(key);
      if (key === "v1") v1.push(item);
    }
  }
  if (timestamp === undefined || Number.isNaN(timestamp)) {
    throw new SignatureError(
      "signature_header_malformed",
      "The Stripe-Signature header has no valid t= timestamp; expected the form t=<unix seconds>,v1=<hex signature>.",
    );
  }
  if (v1.length === 0) {
    // Echo only scheme-shaped names: anything else in the header is the sender's text, possibly a secret.
    const names = new Set(schemes.map((scheme) => (/^v\d{1,3}$/.test(scheme) ? scheme : "unrecognised keys")));
    const seen = names.size > 0 ? ` (it has only: ${[...names].join(", ")})` : "";
    throw new SignatureError(
      "signature_header_malformed",
      `The Stripe-Signature header has no v1 signature${seen}. Only the v1 scheme (HMAC-SHA256) is accepted; v0 is Stripe's legacy test scheme.`,
    );
  }
  return { timestamp, v1, schemes };
}
