/**
 * The little of the protobuf wire format an ONNX model needs to be read and extended without a
 * schema: walk a message's fields, skipping every payload it does not ask for (the weights are
 * never decoded or copied), and write length-delimited fields.
 *
 * A model file is a `ModelProto`; each field is a key (field number << 3 | wire type) followed by
 * a varint, 8 or 4 bytes, or a length and that many bytes (wire type 2: strings, bytes, nested
 * messages). See https://protobuf.dev/programming-guides/encoding/.
 */

/** One field of a message: its number, wire type, and for wire type 2 its payload (a view, not a copy). */
export interface Field {
  readonly number: number;
  readonly wire: 0 | 1 | 2 | 5;
  /** Wire type 0: the value (exact up to 2^53). */
  readonly varint?: number;
  /** Wire type 2: the bytes of the string, blob or nested message. */
  readonly bytes?: Uint8Array;
}

/** Bytes that are not a protobuf message (a cut download, an HTML page, another format). */
export class MalformedProtobufError extends Error {}

/** Reads a varint at `at`; returns the value and the offset after it. */
export function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 10; k++) {
    if (at >= bytes.length) throw new MalformedProtobufError('protobuf: a varint runs past the end of the bytes');
    const byte = bytes[at++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: at };
    scale *= 128;
  }
  throw new MalformedProtobufError('protobuf: a varint is longer than 10 bytes');
}

/**
 * Every field of the message in `bytes`, in order. Payloads are subarrays of `bytes`.
 *
 * @example [...fields(new Uint8Array([0x08, 0x07]))]  // [{ number: 1, wire: 0, varint: 7 }]
 */
export function* fields(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  while (at < bytes.length) {
    const key = readVarint(bytes, at);
    at = key.next;
    const number = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (number === 0) throw new MalformedProtobufError('protobuf: field number 0');
    switch (wire) {
      case 0: {
        const v = readVarint(bytes, at);
        at = v.next;
        yield { number, wire, varint: v.value };
        break;
      }
      case 1:
      case 5: {
        at += wire === 1 ? 8 : 4;
        if (at > bytes.length) throw new MalformedProtobufError('protobuf: a fixed-width field runs past the end of the bytes');
        yield { number, wire };
        break;
      }
      case 2: {
        const length = readVarint(bytes, at);
        at = length.next;
        if (at + length.value > bytes.length) throw new MalformedProtobufError(`protobuf: field ${number} says ${length.value} bytes, only ${bytes.length - at} remain`);
        yield { number, wire, bytes: bytes.subarray(at, at + length.value) };
        at += length.value;
        break;
      }
      default:
        throw new MalformedProtobufError(`protobuf: wire type ${wire} (field ${number}) is not one ONNX uses`);
    }
  }
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** A string field's text. */
export function text(field: Field): string {
  return field.bytes ? utf8.decode(field.bytes) : '';
}

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/**
 * A length-delimited field (wire type 2) holding `payload`, a string or an encoded message.
 *
 * @example lengthDelimited(1, 'a')  // Uint8Array [0x0a, 0x01, 0x61]
 */
export function lengthDelimited(number: number, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const head = [...varintBytes(number * 8 + 2), ...varintBytes(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** The parts one after another, in one new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
