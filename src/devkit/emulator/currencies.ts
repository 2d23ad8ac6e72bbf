/**
 * The currencies Stripe accepts for `currency`, in the order its own error lists them. The `stripe` package
 * declares currencies as plain strings, so the list is Stripe's: the presentment currencies of
 * https://docs.stripe.com/currencies, as Stripe's API spelled them out in the `Invalid currency` error it
 * answered in October 2024 (withdrawn codes such as `sll` and `mro` still included, as there).
 */
export const STRIPE_CURRENCIES: readonly string[] = [
  "usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd cad",
  "cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl",
  "hrk htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga",
  "mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron",
  "rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd top try ttd twd tzs uah ugx uyu uzs",
  "vnd vuv wst xaf xcd xof xpf yer zar zmw usdc btn ghs eek lvl svc vef ltl sll mro",
].flatMap((line) => line.split(" "));

const KNOWN = new Set(STRIPE_CURRENCIES);

/** Stripe takes currencies in any case and answers them in lowercase. */
export function isStripeCurrency(code: string): boolean {
  return KNOWN.has(code.toLowerCase());
}
