/** ISO 4217 exponents that are not 2 (the server's table is the authority; this one only pre-checks input). */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Minor-unit digits of a currency (2 unless listed). */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export type AmountCheck =
  | { readonly ok: true; readonly value: string; readonly minor: number }
  | { readonly ok: false; readonly message: string };

/**
 * Checks a typed amount before it is sent: a plain positive decimal with at most the currency's
 * digits after the point, not above what is refundable. Integer arithmetic on the digits (no floats).
 */
export function checkAmount(input: string, currency: string, refundableMinor: number): AmountCheck {
  const exponent = currencyExponent(currency);
  const text = input.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) {
    return { ok: false, message: text.startsWith('-') ? 'Enter a positive amount.' : 'Enter an amount like 12.50.' };
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    return {
      ok: false,
      message:
        exponent === 0
          ? `${currency} has no decimal places.`
          : `${currency} allows at most ${exponent} decimal places.`,
    };
  }
  if (whole.length > 12) return { ok: false, message: 'That amount is too large.' };
  const minor = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  if (minor <= 0) return { ok: false, message: 'Enter a positive amount.' };
  if (minor > refundableMinor) {
    return { ok: false, message: `At most ${formatMinor(refundableMinor, currency)} is refundable.` };
  }
  return { ok: true, value: decimalOf(minor, currency), minor };
}

/** `1250, 'USD'` → `"12.50"` (the wire format of an amount). */
export function decimalOf(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${minor < 0 ? '-' : ''}${whole}${fraction}`;
}

/** `1250, 'USD'` → `"12.50 USD"`. */
export function formatMinor(minor: number, currency: string): string {
  return `${decimalOf(minor, currency)} ${currency}`;
}
