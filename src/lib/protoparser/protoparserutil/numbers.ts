// Number parsing with the exact acceptance rules of github.com/valyala/fastjson/fastfloat, which every
// VictoriaMetrics text parser uses: no hex, no whitespace, no empty string; inf/nan spelled out.

function parseSpecial(s: string): number | undefined {
  let body = s;
  let sign = 1;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */ || c0 === 43 /* + */) {
    body = s.slice(1);
    if (c0 === 45) sign = -1;
  }
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return sign * Infinity;
  if (lower === 'nan') return NaN;
  return undefined;
}

const pow10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * Parses a float as fastfloat.Parse does; returns undefined for anything it rejects. Never throws.
 *
 * One charCode pass checks the syntax `[+-]?(digits[.digits*]|.digits)([eE][+-]?digits)?` and collects the
 * significand; when it has at most 15 digits and a decimal exponent within +-22, significand * or / 10^k is
 * a single correctly rounded operation (Clinger's fast path), so the result equals `+s` bit for bit.
 * Evidence (cpu profile of the opentsdb bench): regex + `+s` were ~23% of parsing.
 */
export function tryParseFloat(s: string): number | undefined {
  return tryParseFloatRange(s, 0, s.length);
}

/** tryParseFloat of s[from:to), without slicing s in the usual cases. */
export function tryParseFloatRange(s: string, from: number, to: number): number | undefined {
  if (from >= to) return undefined;
  let i = from;
  let c = s.charCodeAt(i);
  const neg = c === 45;
  if (neg || c === 43) i++;
  // Integer and fraction digits; at most 15 of them make an exact significand (< 2^53).
  let mant = 0;
  let digits = 0;
  let scale = 0;
  for (; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d >>> 0 > 9) break;
    mant = mant * 10 + d;
  }
  digits = i - from - (neg || c === 43 ? 1 : 0);
  if (i < to && s.charCodeAt(i) === 46) {
    const f = ++i;
    for (; i < to; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d >>> 0 > 9) break;
      mant = mant * 10 + d;
    }
    digits += i - f;
    scale = f - i;
  }
  if (digits === 0) return parseSpecial(s.slice(from, to));
  if (i < to) {
    c = s.charCodeAt(i);
    if (c !== 101 && c !== 69) return undefined;
    c = ++i < to ? s.charCodeAt(i) : NaN;
    let expNeg = false;
    if (c === 43 || c === 45) {
      expNeg = c === 45;
      i++;
    }
    let exp = 0;
    const e = i;
    for (; i < to; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d >>> 0 > 9) return undefined;
      if (exp < 1e6) exp = exp * 10 + d;
    }
    if (i === e) return undefined;
    scale += expNeg ? -exp : exp;
  }
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const v = scale >= 0 ? mant * pow10[scale]! : mant / pow10[-scale]!;
    return neg ? -v : v;
  }
  return +s.slice(from, to);
}

/** Parses a float as fastfloat.ParseBestEffort does: 0 for anything it rejects. */
export function parseFloatBestEffort(s: string): number {
  return tryParseFloat(s) ?? 0;
}

const maxInt64 = '9223372036854775807';
const minInt64Abs = '9223372036854775808';

/**
 * Checks that s is a decimal int64 as fastfloat.ParseInt64 accepts it (optional sign, 1-19 digits, in range)
 * and returns the index where the digits start, or -1. Never throws.
 */
export function int64DigitsStart(s: string): number {
  let i = 0;
  const c0 = s.charCodeAt(0);
  const neg = c0 === 45;
  if (neg || c0 === 43) i = 1;
  if (i >= s.length) return -1;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return -1;
  }
  // Leading zeros are fine (strconv.ParseInt accepts them); only the significant digits must fit.
  let sig = i;
  while (sig < s.length - 1 && s.charCodeAt(sig) === 48) sig++;
  const n = s.length - sig;
  if (n > 19) return -1;
  if (n === 19 && s.slice(sig) > (neg ? minInt64Abs : maxInt64)) return -1;
  return i;
}

/** Parses an int64 like fastfloat.ParseInt64; values beyond 2^53 lose precision. Undefined when rejected. */
export function tryParseInt64(s: string): number | undefined {
  return int64DigitsStart(s) < 0 ? undefined : +s;
}

/** Parses a uint64 like fastfloat.ParseUint64 (digits only, in range). Undefined when rejected. */
export function tryParseUint64(s: string): number | undefined {
  if (s.length === 0) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  let sig = 0;
  while (sig < s.length - 1 && s.charCodeAt(sig) === 48) sig++;
  const n = s.length - sig;
  if (n > 20 || (n === 20 && s.slice(sig) > '18446744073709551615')) return undefined;
  return +s;
}
