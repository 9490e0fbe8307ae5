/**
 * Python's integer and float rounding, exactly, for numbers that are doubles in both languages.
 * The image processors this explorer follows are Python: `round` rounds half to even,
 * `round(x, n)` rounds the double's exact decimal value, `float // float` is CPython's
 * floor division (which is not always `Math.floor(a / b)`: `1 // 0.1` is 9.0 where
 * `Math.floor(1 / 0.1)` is 10), and `int()` truncates toward zero.
 */

/**
 * Python 3's `round(x)`: the nearest integer, ties to the even one.
 * @example pyRound(2.5) // 2
 * @example pyRound(3.5) // 4
 */
export function pyRound(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round ${x}`);
  const floor = Math.floor(x);
  // x - floor(x) is exact for every double (both share an exponent range).
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `int(x)` of a float: truncation toward zero. */
export function pyInt(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot convert ${x} to an integer`);
  return Math.trunc(x) + 0;
}

/** The exact value of a finite double as `mantissa × 2^exponent` (mantissa a BigInt). */
function exactParts(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/**
 * Python 3's `round(x, digits)` for `digits >= 0`: the double's exact decimal value rounded
 * half to even at `digits` decimals, then the nearest double to that decimal (CPython builds
 * the decimal string and parses it, as `Number()` does here).
 * @example pyRoundDigits(0.00390625, 7) // 0.0039062 (exactly half: to even), where toFixed gives 0.0039063
 */
export function pyRoundDigits(x: number, digits: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round ${x}`);
  if (!Number.isInteger(digits) || digits < 0) throw new RangeError('digits must be a non-negative integer');
  if (x === 0) return x;
  const { mantissa, exponent } = exactParts(x);
  if (exponent >= 0) return x; // an integer already
  const scaled = mantissa * 10n ** BigInt(digits);
  const denominator = 1n << BigInt(-exponent);
  let quotient = scaled / denominator;
  const twice = 2n * (scaled % denominator);
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) quotient += 1n;
  const magnitude = Number(`${quotient}e-${digits}`);
  return x < 0 ? -magnitude : magnitude;
}

/**
 * CPython's `a // b` for floats (`float_floor_div`): `(a - fmod(a, b)) / b`, corrected for the
 * sign of the remainder, floored, and rounded up when that quotient was more than half below
 * the next integer. JavaScript's `%` is C's `fmod`, exactly.
 * @example pyFloorDiv(1, 0.1) // 9 (Math.floor(1 / 0.1) is 10)
 */
export function pyFloorDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('float floor division by zero');
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  }
  if (div === 0) return Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
  let floorDiv = Math.floor(div);
  if (div - floorDiv > 0.5) floorDiv += 1;
  return floorDiv;
}

/** Python's `int // int` for non-negative and negative integers alike (floor). */
export function pyIntDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('integer division by zero');
  return Math.floor(a / b);
}
