/** Minimal DER encoding for the certificate fast path (definite lengths only). */

export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

export const sequence = (...content: Buffer[]): Buffer => tlv(0x30, ...content);
export const octetString = (content: Buffer): Buffer => tlv(0x04, content);
export const bitString = (content: Buffer): Buffer => tlv(0x03, Buffer.from([0]), content);
export const explicit = (tagNumber: number, content: Buffer): Buffer => tlv(0xa0 | tagNumber, content);

/** INTEGER from unsigned big-endian bytes (adds a 0x00 when the top bit is set). */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(digits, 'ascii'));
}

/** Reads one TLV at `offset`: where its content starts and ends. */
export function readTlv(der: Buffer, offset: number): { tag: number; contentStart: number; end: number } {
  const tag = der[offset]!;
  let lengthByte = der[offset + 1]!;
  let contentStart = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    length = 0;
    for (let index = 0; index < count; index += 1) {
      lengthByte = der[offset + 2 + index]!;
      length = length * 256 + lengthByte;
    }
    contentStart += count;
  }
  return { tag, contentStart, end: contentStart + length };
}
