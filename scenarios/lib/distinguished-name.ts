import { readTlv, sequence, tlv } from '../../src/pki/der.js';
import { x509 } from './x509.js';

/**
 * Subject names for the per-device factory steps. Device subjects are a lone Common Name made
 * of name characters (`CN=<thing name>`); those are encoded and rendered here directly, with
 * the same bytes and text as @peculiar/x509's Name, which costs tenths of a millisecond per
 * device. Any other name goes through @peculiar/x509.
 */

const COMMON_NAME_TYPE = Buffer.from('0603550403', 'hex'); // OID 2.5.4.3
const PRINTABLE_STRING = 0x13;
const UTF8_STRING = 0x0c;
/** Values that RFC 4514 never escapes and that @peculiar/x509 parses as written. */
const PLAIN_VALUE = /^[A-Za-z0-9_.-]+$/;
/** Plain values @peculiar/x509 encodes as PrintableString (the others as UTF8String). */
const PRINTABLE_VALUE = /^[A-Za-z0-9.-]+$/;

function plainCommonName(subject: string): string | null {
  if (!subject.startsWith('CN=')) return null;
  const value = subject.slice(3);
  return PLAIN_VALUE.test(value) ? value : null;
}

/** DER of a subject in RFC 4514 form, e.g. `CN=dev-1` or `CN=dev-1, O=acme`. */
export function encodeSubject(subject: string): Buffer {
  const value = plainCommonName(subject);
  if (value === null) return Buffer.from(new x509.Name(subject).toArrayBuffer());
  const tag = PRINTABLE_VALUE.test(value) ? PRINTABLE_STRING : UTF8_STRING;
  return sequence(tlv(0x31, sequence(COMMON_NAME_TYPE, tlv(tag, Buffer.from(value, 'ascii')))));
}

/** A Name's DER in RFC 4514 form, as @peculiar/x509 renders it (`CN=dev-1, O=acme`). */
export function renderSubject(der: Buffer): string {
  return renderPlainCommonName(der) ?? new x509.Name(new Uint8Array(der)).toString();
}

/** `CN=<value>` when `der` is exactly one RDN holding one plain Common Name; otherwise null. */
function renderPlainCommonName(der: Buffer): string | null {
  const name = readTlv(der, 0);
  if (name.tag !== 0x30 || name.end !== der.length) return null;
  const rdn = readTlv(der, name.contentStart);
  if (rdn.tag !== 0x31 || rdn.end !== name.end) return null;
  const attribute = readTlv(der, rdn.contentStart);
  if (attribute.tag !== 0x30 || attribute.end !== rdn.end) return null;
  const type = readTlv(der, attribute.contentStart);
  if (!der.subarray(attribute.contentStart, type.end).equals(COMMON_NAME_TYPE)) return null;
  const value = readTlv(der, type.end);
  if (value.end !== attribute.end || (value.tag !== PRINTABLE_STRING && value.tag !== UTF8_STRING)) {
    return null;
  }
  const text = der.subarray(value.contentStart, value.end).toString('utf8');
  return PLAIN_VALUE.test(text) ? `CN=${text}` : null;
}
