import { describe, expect, it } from 'vitest';
import { pyFloorDiv, pyInt, pyIntDiv, pyRound, pyRoundDigits } from '../../src/lib/budget/pyMath';

describe("Python's rounding", () => {
  it('round() goes half to even, unlike Math.round', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5].map(pyRound)).toEqual([0, 2, 2, 4, 0, -2, -2]);
    expect(Math.round(2.5)).toBe(3);
    expect(pyRound(2.5000000000000004)).toBe(3);
    expect(pyRound(70 / 28)).toBe(2);
  });

  it('round(x, 7) rounds the exact decimal value of the double, ties to even', () => {
    // 1/256 = 0.00390625 exactly: a tie at 7 digits; toFixed goes up, Python to even.
    expect(pyRoundDigits(0.00390625, 7)).toBe(0.0039062);
    expect((0.00390625).toFixed(7)).toBe('0.0039063');
    // 3/256 = 0.01171875: tie, the even neighbour is up.
    expect(pyRoundDigits(0.01171875, 7)).toBe(0.0117188);
    // 47 * (72 / 1128) is 2.9999999999999996 in doubles: round(x, 7) is 3.0, int() of it 3.
    expect(47 * (72 / 1128)).toBe(2.9999999999999996);
    expect(pyInt(pyRoundDigits(47 * (72 / 1128), 7))).toBe(3);
    expect(pyRoundDigits(-2.675, 2)).toBe(-2.67); // -2.675 is -2.67499999... in binary
    expect(pyRoundDigits(5, 7)).toBe(5);
  });

  it('float // float is CPython floor division, not Math.floor(a / b)', () => {
    expect(pyFloorDiv(1, 0.1)).toBe(9);
    expect(Math.floor(1 / 0.1)).toBe(10);
    // LLaVA-OneVision pooling of 605 × 2000: 50 // (10 / 9) is 44 in Python, 50 / (10 / 9) is 45.0.
    const ratio = Math.sqrt((162 * 50) / (9 * 27 ** 2));
    expect(ratio).toBe(1.1111111111111112);
    expect(pyFloorDiv(50, ratio)).toBe(44);
    expect(Math.floor(50 / ratio)).toBe(45);
    expect(pyFloorDiv(7, 2)).toBe(3);
    expect(pyFloorDiv(-7, 2)).toBe(-4);
    expect(pyFloorDiv(7, -2)).toBe(-4);
    expect(() => pyFloorDiv(1, 0)).toThrow();
  });

  it('int() truncates toward zero and // on ints floors', () => {
    expect([2.9, -2.9, 0.99999].map(pyInt)).toEqual([2, -2, 0]);
    expect(pyIntDiv(19, 2)).toBe(9);
    expect(pyIntDiv(-19, 2)).toBe(-10);
  });
});
