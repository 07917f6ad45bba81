import { X509Certificate } from 'node:crypto';

/** Subject attribute short names (as Node prints them) → AWS template parameter suffix. */
const subjectFieldToParameter: Record<string, string> = {
  C: 'Country',
  O: 'Organization',
  OU: 'OrganizationalUnit',
  dnQualifier: 'DistinguishedNameQualifier',
  ST: 'StateName',
  CN: 'CommonName',
  serialNumber: 'SerialNumber',
};

/** Parses Node's multi-line subject text (`CN=a\nO=b`) into AWS field names. */
export function subjectFields(subjectText: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of subjectText.split('\n')) {
    const separator = line.indexOf('=');
    if (separator <= 0) continue;
    const key = line.slice(0, separator);
    const name =
      subjectFieldToParameter[key] ??
      (key === '2.5.4.46' ? 'DistinguishedNameQualifier' : key === '2.5.4.5' ? 'SerialNumber' : key);
    fields[name] = line.slice(separator + 1);
  }
  return fields;
}

/**
 * The `AWS::IoT::Certificate::*` parameters JITP templates read from a device certificate:
 * Country, Organization, OrganizationalUnit, DistinguishedNameQualifier, StateName,
 * CommonName, SerialNumber (subject fields, only those present) and Id.
 */
export function certificateParameters(certificatePem: string, certificateId: string): Record<string, string> {
  const fields = subjectFields(new X509Certificate(certificatePem).subject);
  const parameters: Record<string, string> = { 'AWS::IoT::Certificate::Id': certificateId };
  for (const name of Object.values(subjectFieldToParameter)) {
    const value = fields[name];
    if (value !== undefined) parameters[`AWS::IoT::Certificate::${name}`] = value;
  }
  return parameters;
}
