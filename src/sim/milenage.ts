import { type Cipher, createCipheriv } from 'node:crypto';

/** Output of f2, f3, f4, f5 for one RAND (3GPP TS 35.206 §4.1). */
export interface MilenageKeys {
  /** f2: 64-bit response RES (XRES on the network side). */
  res: Buffer;
  /** f3: 128-bit cipher key CK. */
  ck: Buffer;
  /** f4: 128-bit integrity key IK. */
  ik: Buffer;
  /** f5: 48-bit anonymity key AK. */
  ak: Buffer;
}

const BLOCK = 16;

function xor(left: Buffer, right: Buffer): Buffer {
  const out = Buffer.allocUnsafe(left.length);
  for (let i = 0; i < left.length; i++) out[i] = left[i]! ^ right[i]!;
  return out;
}

/** Cyclic left rotation by a whole number of bytes (MILENAGE's r1..r5 are multiples of 8 bits). */
function rotateBytes(block: Buffer, bytes: number): Buffer {
  if (bytes === 0) return block;
  const out = Buffer.allocUnsafe(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = block[(i + bytes) % BLOCK]!;
  return out;
}

function requireLength(name: string, value: Buffer, length: number): void {
  if (value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes (${length * 2} hex digits), got ${value.length}`);
  }
}

function aesEncryptor(key: Buffer): Cipher {
  requireLength('K', key, BLOCK);
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/**
 * MILENAGE (3GPP TS 35.206) for one subscriber key K and operator variant OPc, with AES-128 as
 * the kernel function. One instance per SIM; the ECB cipher is reused across calls.
 */
export class Milenage {
  private readonly cipher: Cipher;
  private readonly opc: Buffer;

  constructor(k: Buffer, opc: Buffer) {
    requireLength('OPc', opc, BLOCK);
    this.cipher = aesEncryptor(k);
    this.opc = Buffer.from(opc);
  }

  /** OPc = E_K(OP) xor OP. */
  static deriveOpc(k: Buffer, op: Buffer): Buffer {
    requireLength('OP', op, BLOCK);
    return xor(aesEncryptor(k).update(op), op);
  }

  private encrypt(block: Buffer): Buffer {
    return this.cipher.update(block);
  }

  private temp(rand: Buffer): Buffer {
    requireLength('RAND', rand, BLOCK);
    return this.encrypt(xor(rand, this.opc));
  }

  /** OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, with IN1 = SQN||AMF||SQN||AMF. */
  private out1(rand: Buffer, sqn: Buffer, amf: Buffer): Buffer {
    requireLength('SQN', sqn, 6);
    requireLength('AMF', amf, 2);
    const in1 = Buffer.concat([sqn, amf, sqn, amf]);
    const input = xor(this.temp(rand), rotateBytes(xor(in1, this.opc), 8));
    return xor(this.encrypt(input), this.opc);
  }

  /** OUTn = E_K(rot(TEMP xor OPc, r) xor c) xor OPc; c has its last byte set to `constant`. */
  private outN(temp: Buffer, rotation: number, constant: number): Buffer {
    const input = rotateBytes(xor(temp, this.opc), rotation);
    input[BLOCK - 1] = input[BLOCK - 1]! ^ constant;
    return xor(this.encrypt(input), this.opc);
  }

  /** f1: network authentication code MAC-A (64 bits). */
  f1(rand: Buffer, sqn: Buffer, amf: Buffer): Buffer {
    return this.out1(rand, sqn, amf).subarray(0, 8);
  }

  /** f1*: resynchronisation authentication code MAC-S (64 bits). */
  f1star(rand: Buffer, sqn: Buffer, amf: Buffer): Buffer {
    return this.out1(rand, sqn, amf).subarray(8, 16);
  }

  /** f2 (RES), f3 (CK), f4 (IK) and f5 (AK) for one RAND. */
  f2345(rand: Buffer): MilenageKeys {
    const temp = this.temp(rand);
    const out2 = this.outN(temp, 0, 1);
    return {
      ak: out2.subarray(0, 6),
      res: out2.subarray(8, 16),
      ck: this.outN(temp, 4, 2),
      ik: this.outN(temp, 8, 4),
    };
  }

  /** f5*: resynchronisation anonymity key AK* (48 bits). */
  f5star(rand: Buffer): Buffer {
    return this.outN(this.temp(rand), 12, 8).subarray(0, 6);
  }
}
