/** Luhn check digit for a digit string (ITU-T E.118 ICCID, IMEI), as pySim's calculate_luhn. */
export function luhnCheckDigit(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError(`Luhn needs decimal digits, got "${digits}"`);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(digits: string): boolean {
  return /^\d{2,}$/.test(digits) && luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

function padded(value: bigint, width: number, what: string): string {
  const text = value.toString();
  if (text.length > width) throw new RangeError(`${what} ${text} does not fit in ${width} digits`);
  return text.padStart(width, '0');
}

/** IMSI: MCC (3 digits) + MNC (2 or 3) + MSIN, 15 digits in all. */
export function formatImsi(mcc: string, mnc: string, msin: bigint): string {
  if (!/^\d{3}$/.test(mcc)) throw new RangeError(`MCC must be 3 digits, got "${mcc}"`);
  if (!/^\d{2,3}$/.test(mnc)) throw new RangeError(`MNC must be 2 or 3 digits, got "${mnc}"`);
  return mcc + mnc + padded(msin, 15 - mcc.length - mnc.length, 'MSIN');
}

/** 19-digit ICCID-like number: prefix + account number + Luhn digit (ICCIDs and SORACOM SIM IDs). */
export function formatLuhnNumber(prefix: string, account: bigint, totalDigits: number): string {
  const body = prefix + padded(account, totalDigits - 1 - prefix.length, `number after ${prefix}`);
  return body + luhnCheckDigit(body);
}

/** IMEI: 8-digit TAC + 6-digit serial + Luhn digit. */
export function formatImei(tac: string, serial: number): string {
  if (!/^\d{8}$/.test(tac)) throw new RangeError(`TAC must be 8 digits, got "${tac}"`);
  return formatLuhnNumber(tac, BigInt(serial), 15);
}
