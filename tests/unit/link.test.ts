import { describe, expect, it } from 'vitest';
import { encodeValue, formatHash, MAX_HASH_CHARACTERS, parseHash } from '../../src/lib/link/codec';
import { bits, decimal, integer, list, oneOf, orWord, readState, text, writeState } from '../../src/lib/link/fields';
import { INPUT_FIELDS, linkedImage, MAX_LINKED_CAPTIONS } from '../../src/lib/link/inputs';
import { LAB_FIELDS, linkTo, pairing } from '../../src/lib/link/labs';
import { linkedModel } from '../../src/lib/link/model';

describe('the hash syntax', () => {
  it('splits the route from its entries, in order, repeated keys kept', () => {
    expect(parseHash('#masking?cap=a+red+circle&seed=3&cap=two')).toEqual({ route: 'masking', entries: [['cap', 'a red circle'], ['seed', '3'], ['cap', 'two']] });
    expect(parseHash('')).toEqual({ route: '', entries: [] });
    expect(parseHash('#LLIP')).toEqual({ route: 'llip', entries: [] });
  });

  it('never throws on broken escapes or separators, and cuts very long hashes', () => {
    expect(parseHash('#x?a=%ZZ&&=&b').entries).toEqual([['a', '%ZZ'], ['', ''], ['b', '']]);
    expect(parseHash('#%E0%A4%A?q=1').route).toBe('%e0%a4%a');
    expect(parseHash(`#contrastive?cap=${'y'.repeat(40_000)}`).entries[0][1]).toHaveLength(MAX_HASH_CHARACTERS - '#contrastive?cap='.length + 1);
  });

  it('writes values readably and reads back exactly what it wrote', () => {
    expect(encodeValue('a red circle, left: 1/2 @ 50%')).toBe('a+red+circle,+left:+1/2+@+50%25');
    const awkward = ['a+b', '&=?#', '<img src=x onerror=alert(1)>', 'ünïcödé ✓', '%41', ' leading and trailing ', ''];
    const hash = formatHash('contrastive', awkward.map((v) => ['cap', v]));
    expect(parseHash(hash).entries.map(([, v]) => v)).toEqual(awkward);
  });
});

describe('fields', () => {
  it('accept only their own values', () => {
    const seed = integer(0, 10);
    expect([seed.parse('3'), seed.parse('-1'), seed.parse('11'), seed.parse('2.5'), seed.parse('1e1'), seed.parse(''), seed.parse('0x3')]).toEqual([3, undefined, undefined, undefined, undefined, undefined, undefined]);
    const t = decimal(0.1, 2);
    expect([t.parse('0.7'), t.parse('.5'), t.parse('2'), t.parse('2.01'), t.parse('NaN'), t.parse('Infinity'), t.parse('1e999'), t.parse('7e-1')]).toEqual([0.7, 0.5, 2, undefined, undefined, undefined, undefined, 0.7]);
    const mode = oneOf(['cosine', 'logits'] as const);
    expect([mode.parse('cosine'), mode.parse('Cosine'), mode.parse('__proto__')]).toEqual(['cosine', undefined, undefined]);
    const layer = orWord(integer(0, 3), ['mean'] as const);
    expect([layer.parse('mean'), layer.parse('2'), layer.parse('4'), layer.format('mean'), layer.format(2)]).toEqual(['mean', 2, undefined, 'mean', '2']);
    const mask = bits(4);
    expect([mask.parse('0110'), mask.parse('01101'), mask.parse('012'), mask.parse('')]).toEqual([[0, 1, 1, 0], undefined, undefined, []]);
    const caption = text(5);
    expect([caption.parse('a b c'), caption.parse('abcdef'), caption.parse('a\u0000b'), caption.parse('<b>')]).toEqual(['a b c', undefined, undefined, '<b>']);
  });

  it('write numbers in the shortest form that reads back as the same double', () => {
    const scale = decimal(1, 200);
    for (const value of [Math.exp(2.5), 14.285714285714286, 1, 0.2 + 3 / 32, 199.99999999999997]) {
      if (value < 1) continue;
      expect(scale.parse(scale.format(value))).toBe(value);
    }
    const fraction = decimal(0, 1);
    expect(fraction.parse(fraction.format(0.2 + 0.03125 + 0.03125 + 0.03125))).toBe(0.2 + 0.03125 + 0.03125 + 0.03125);
  });
});

describe('reading a state', () => {
  const schema = { seed: integer(0, 9), mode: oneOf(['a', 'b'] as const), cap: list(text(20), 3) };

  it('keeps what is good and says, for each entry, why the rest was dropped', () => {
    const { state, dropped } = readState(schema, [['seed', '3'], ['x', '1'], ['mode', 'c'], ['cap', 'one'], ['cap', 'y'.repeat(21)], ['cap', 'two'], ['seed', '4'], ['cap', 'three'], ['cap', 'four']], 'the test view');
    expect(state).toEqual({ seed: 4, cap: ['one', 'two', 'three'] });
    expect(dropped).toEqual([
      'x: not a setting of the test view, ignored.',
      'mode=“c”: not one of a, b, ignored.',
      `cap=“${'y'.repeat(21)}”: not text of at most 20 characters, dropped.`,
      'seed: given more than once; the last one is used.',
      'cap: more than 3 entries; the rest were dropped.',
    ]);
  });

  it('shortens a long bad value in its message and shows markup as the characters it is', () => {
    const { dropped } = readState(schema, [['mode', `<script>${'z'.repeat(80)}`]]);
    expect(dropped).toEqual([`mode=“<script>${'z'.repeat(32)}…”: not one of a, b, ignored.`]);
  });

  it('writes every key in the schema order, an empty list as one empty entry, and reads it back the same', () => {
    const numbers = { seed: integer(0, 9), mode: oneOf(['a', 'b'] as const), picks: list(integer(0, 9), 3) };
    const entries = writeState(numbers, { picks: [], mode: 'b', seed: 0 });
    expect(entries).toEqual([['seed', '0'], ['mode', 'b'], ['picks', '']]);
    expect(readState(numbers, entries)).toEqual({ state: { seed: 0, mode: 'b', picks: [] }, dropped: [] });
    // A key left out of a link is left out of the state (the page keeps what it has).
    expect(readState(schema, [['seed', '1']]).state).toEqual({ seed: 1 });
  });
});

describe('images and captions', () => {
  it('name samples by seed and composed scenes by their shapes, exactly', () => {
    expect(linkedImage.parse('s3')).toEqual({ kind: 'sample', seed: 3 });
    const scene = { shapes: [{ kind: 'circle' as const, colour: 'red' as const, cx: 0.2 + 3 / 32, cy: 0.5, radius: 0.21 }, { kind: 'square' as const, colour: 'blue' as const, cx: 1, cy: 0, radius: 0.12 }], background: [255, 255, 255] as [number, number, number] };
    const written = linkedImage.format({ kind: 'composed', scene });
    expect(written).toBe(`c:circle,red,${0.2 + 3 / 32},0.5,0.21;square,blue,1,0,0.12`);
    expect(linkedImage.parse(written)).toEqual({ kind: 'composed', scene });
    const dark = { shapes: [], background: [16, 32, 48] as [number, number, number] };
    expect(linkedImage.format({ kind: 'composed', scene: dark })).toBe('c:bg=102030');
    expect(linkedImage.parse('c:bg=102030')).toEqual({ kind: 'composed', scene: dark });
    expect(linkedImage.parse('c:')).toEqual({ kind: 'composed', scene: { shapes: [], background: [255, 255, 255] } });
  });

  it('refuse what is not a sample or a scene of known shapes inside the image', () => {
    for (const bad of ['s0', 's-1', 's1.5', 's99999999', 'x3', 'c:hexagon,red,0.5,0.5,0.2', 'c:circle,pink,0.5,0.5,0.2', 'c:circle,red,1.5,0.5,0.2', 'c:circle,red,0.5,0.5,0', 'c:circle,red,0.5,0.5', 'c:circle,red,0.5,0.5,0.2;bg=red', `c:${Array(13).fill('circle,red,0.5,0.5,0.2').join(';')}`, '']) {
      expect(linkedImage.parse(bad)).toBeUndefined();
    }
  });

  it('carry at most 32 captions and read an empty image list', () => {
    const { state, dropped } = readState(INPUT_FIELDS, [...Array.from({ length: 40 }, (_, k) => ['cap', `c${k}`] as [string, string]), ['img', '']]);
    expect(state.cap).toHaveLength(MAX_LINKED_CAPTIONS);
    expect(state.img).toEqual([]);
    expect(dropped).toEqual(['cap: more than 32 entries; the rest were dropped.']);
  });
});

describe('links to the labs', () => {
  it('build a typed link that each lab reads back', () => {
    const hash = linkTo('masking', { image: 1, caption: 'a blue circle', patches: [0, 1, 1, 0], token: 'none', layer: 'mean' }, { img: [{ kind: 'sample', seed: 2 }], cap: ['a blue circle'] });
    expect(hash).toBe('#masking?image=1&caption=a+blue+circle&patches=0110&token=none&layer=mean&img=s2&cap=a+blue+circle');
    const { route, entries } = parseHash(hash);
    expect(route).toBe('masking');
    const own = readState(LAB_FIELDS.masking, entries.filter(([k]) => k in LAB_FIELDS.masking));
    expect(own).toEqual({ state: { image: 1, caption: 'a blue circle', patches: [0, 1, 1, 0], token: 'none', layer: 'mean' }, dropped: [] });
    expect(linkTo('budget', { w: '640', h: '480' })).toBe('#budget?w=640&h=480');
  });

  it('read pairs and a starting model', () => {
    expect([pairing.parse('1-2'), pairing.parse('0-none'), pairing.parse('1-'), pairing.parse('a-1')]).toEqual([{ image: 1, caption: 2 }, { image: 0, caption: null }, undefined, undefined]);
    expect(linkedModel('#contrastive?mode=cosine&model=shapes-siglip&dtype=fp32', 'contrastive')).toEqual({ model: 'shapes-siglip', dtype: 'fp32' });
    expect(linkedModel('#contrastive?model=Xenova/clip-vit-base-patch32', 'contrastive')).toEqual({ model: 'Xenova/clip-vit-base-patch32' });
    expect(linkedModel('#contrastive?model=../../etc&dtype=q9', 'contrastive')).toBeNull();
    expect(linkedModel('#llip?model=shapes-siglip', 'contrastive')).toBeNull();
  });
});
