// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub uses ${Name} syntax
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import {
  certificateParameters,
  policyNameForDocument,
  resolveTemplate,
  TemplateError,
} from '../../../src/emulator/provisioning/index.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const fleetTemplate = {
  Parameters: {
    SerialNumber: { Type: 'String' },
    DeviceLocation: { Type: 'String', Default: 'WA' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
    Parts: { Type: 'String', Default: 'a,b,c' },
  },
  Mappings: { LocationTable: { WA: { LocationUrl: 'https://example.aws/wa' } } },
  Conditions: { IsWa: { 'Fn::Equals': [{ Ref: 'DeviceLocation' }, 'WA'] } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: {
        ThingName: { 'Fn::Join': ['', ['ThingPrefix_', { Ref: 'SerialNumber' }]] },
        AttributePayload: {
          version: 'v1',
          serialNumber: { Ref: 'SerialNumber' },
          region: { 'Fn::Sub': '${DeviceLocation}-${Suffix}', _unused: null },
          part: { 'Fn::Select': [1, { 'Fn::Split': [',', { Ref: 'Parts' }] }] },
          wa: { 'Fn::If': ['IsWa', 'yes', 'no'] },
        },
      },
      OverrideSettings: { AttributePayload: 'MERGE', ThingTypeName: 'REPLACE' },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
    },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'DevicePolicy' } },
    onlyInOregon: {
      Type: 'AWS::IoT::Policy',
      Condition: 'IsWa',
      Properties: { PolicyDocument: '{"Version":"2012-10-17","Statement":[]}' },
    },
  },
  DeviceConfiguration: {
    FallbackUrl: 'https://example.aws/fallback',
    LocationUrl: { 'Fn::FindInMap': ['LocationTable', { Ref: 'DeviceLocation' }, 'LocationUrl'] },
  },
};

describe('resolveTemplate', () => {
  it('resolves Ref, Fn::Join, Fn::Select/Split, Fn::If, Fn::FindInMap, Defaults and Conditions', () => {
    const body = JSON.parse(JSON.stringify(fleetTemplate));
    body.Resources.thing.Properties.AttributePayload.region = { 'Fn::Sub': '${DeviceLocation}-x' };
    const plan = resolveTemplate(
      JSON.stringify(body),
      { SerialNumber: '123' },
      {
        systemParameters: { 'AWS::IoT::Certificate::Id': 'c'.repeat(64) },
      },
    );
    expect(plan.thing?.thingName).toBe('ThingPrefix_123');
    expect(plan.thing?.attributes).toEqual({
      version: 'v1',
      serialNumber: '123',
      region: 'WA-x',
      part: 'b',
      wa: 'yes',
    });
    expect(plan.thing?.overrideSettings).toEqual({ AttributePayload: 'MERGE', ThingTypeName: 'REPLACE' });
    expect(plan.certificate?.source).toEqual({ kind: 'id', certificateId: 'c'.repeat(64) });
    expect(plan.policies.map((p) => p.policyName)).toEqual([
      'DevicePolicy',
      policyNameForDocument('{"Version":"2012-10-17","Statement":[]}'),
    ]);
    expect(plan.deviceConfiguration).toEqual({
      FallbackUrl: 'https://example.aws/fallback',
      LocationUrl: 'https://example.aws/wa',
    });
  });

  it('skips resources whose Condition is false', () => {
    const body = JSON.parse(JSON.stringify(fleetTemplate));
    body.Resources.thing.Properties.AttributePayload = {};
    body.Mappings.LocationTable.OR = { LocationUrl: 'https://example.aws/or' };
    const plan = resolveTemplate(body, {
      SerialNumber: '1',
      DeviceLocation: 'OR',
      'AWS::IoT::Certificate::Id': 'x',
    });
    expect(plan.policies.map((p) => p.logicalId)).toEqual(['policy']);
    expect(plan.deviceConfiguration.LocationUrl).toBe('https://example.aws/or');
  });

  it('Fn::Sub supports a variable map and ${!Literal}', () => {
    const plan = resolveTemplate(
      {
        Parameters: { Name: { Type: 'String' } },
        Resources: {
          thing: {
            Type: 'AWS::IoT::Thing',
            Properties: { ThingName: { 'Fn::Sub': ['${Name}-${Tail}', { Tail: { Ref: 'Name' } }] } },
          },
        },
        DeviceConfiguration: { raw: { 'Fn::Sub': 'keep-${!Name}' } },
      },
      { Name: 'n1' },
    );
    expect(plan.thing?.thingName).toBe('n1-n1');
    expect(plan.deviceConfiguration.raw).toBe('keep-${Name}');
  });

  it('names every missing declared parameter', () => {
    let caught: unknown;
    try {
      resolveTemplate(fleetTemplate, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).code).toBe('MissingParameter');
    expect((caught as TemplateError).message).toContain('"SerialNumber"');
    expect((caught as TemplateError).message).toContain('"AWS::IoT::Certificate::Id"');
    expect((caught as TemplateError).message).toContain('certificate subject');
  });

  it('rejects a Ref to an undeclared parameter, bad JSON, unknown types and bad certificate specs', () => {
    const thingFrom = (ThingName: unknown) => ({
      Resources: { t: { Type: 'AWS::IoT::Thing', Properties: { ThingName } } },
    });
    expect(() => resolveTemplate(thingFrom({ Ref: 'Nope' }))).toThrow(/parameter "Nope"/);
    expect(() => resolveTemplate('{not json')).toThrow(/not valid JSON/);
    expect(() => resolveTemplate({ Resources: { x: { Type: 'AWS::S3::Bucket' } } })).toThrow(
      /Resources\.x\.Type/,
    );
    expect(() =>
      resolveTemplate({
        Resources: {
          c: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: 'a', CertificatePem: 'b' } },
        },
      }),
    ).toThrow(/exactly one of CertificateId/);
    expect(() => resolveTemplate({ Resources: { p: { Type: 'AWS::IoT::Policy', Properties: {} } } })).toThrow(
      /PolicyName or PolicyDocument/,
    );
    expect(() => resolveTemplate(thingFrom({ 'Fn::Select': [5, ['a']] }))).toThrow(/outside the list/);
    expect(() => resolveTemplate(thingFrom({ 'Fn::FindInMap': ['M', 'a', 'b'] }))).toThrow(
      /found no value for M\.a\.b/,
    );
  });

  it('checks AllowedValues and Number parameters', () => {
    const template = {
      Parameters: {
        Kind: { Type: 'String', AllowedValues: ['a', 'b'] },
        Count: { Type: 'Number', Default: '2' },
      },
      Resources: {},
    };
    expect(() => resolveTemplate(template, { Kind: 'c' })).toThrow(/must be one of a, b/);
    expect(() => resolveTemplate(template, { Kind: 'a', Count: 'many' })).toThrow(/must be a number/);
    expect(resolveTemplate(template, { Kind: 'a' }).parameters.Count).toBe('2');
  });
});

describe('certificateParameters', () => {
  it('exposes subject fields and the certificate ID as AWS::IoT::Certificate::* parameters', async () => {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=sensor-42, O=Acme, OU=Fleet, C=DE, ST=Berlin, 2.5.4.5=SN-9, 2.5.4.46=q1',
      keys,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const parameters = certificateParameters(cert.toString('pem'), 'f'.repeat(64));
    expect(parameters).toEqual({
      'AWS::IoT::Certificate::Id': 'f'.repeat(64),
      'AWS::IoT::Certificate::CommonName': 'sensor-42',
      'AWS::IoT::Certificate::Organization': 'Acme',
      'AWS::IoT::Certificate::OrganizationalUnit': 'Fleet',
      'AWS::IoT::Certificate::Country': 'DE',
      'AWS::IoT::Certificate::StateName': 'Berlin',
      'AWS::IoT::Certificate::SerialNumber': 'SN-9',
      'AWS::IoT::Certificate::DistinguishedNameQualifier': 'q1',
    });
  });
});
