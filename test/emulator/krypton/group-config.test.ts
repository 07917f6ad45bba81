import { describe, expect, it } from 'vitest';
import { mergeGroupConfig, redactGroupConfig } from '../../../src/emulator/krypton/group-config.js';

const awsIot = {
  region: 'ap-northeast-1',
  policyName: 'GreengrassKryptonCorePolicy',
  thingNamePattern: 'takao-rpi-krypton-$imsi',
  host: 'example-ats.iot.ap-northeast-1.amazonaws.com',
};

describe('SoracomKrypton group configuration', () => {
  it("reads SORACOM's [{key, value}] form and keeps keys an update leaves out", () => {
    const first = mergeGroupConfig(undefined, [
      { key: 'enabled', value: true },
      { key: 'AwsIot', value: awsIot },
    ]);
    expect(first).toEqual({ enabled: true, awsIot });
    const second = mergeGroupConfig(first, [{ key: 'userdata', value: 'hello' }]);
    expect(second).toEqual({ enabled: true, awsIot, userdata: 'hello' });
    expect(mergeGroupConfig(second, { enabled: false }).awsIot).toEqual(awsIot);
  });

  it('rejects unknown keys and invalid AwsIot settings', () => {
    expect(() => mergeGroupConfig(undefined, [{ key: 'nope', value: 1 }])).toThrow(
      /unknown configuration key nope/,
    );
    expect(() =>
      mergeGroupConfig(undefined, { enabled: true, awsIot: { ...awsIot, policyName: 'bad name' } }),
    ).toThrow(/policyName/);
    expect(() => mergeGroupConfig(undefined, { enabled: 'yes' })).toThrow();
  });

  it('masks the secret access key when the configuration is read back', () => {
    const config = mergeGroupConfig(undefined, {
      enabled: true,
      awsIot: { ...awsIot, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI' } },
    });
    const shown = JSON.stringify(redactGroupConfig(config));
    expect(shown).toContain('AKIDEXAMPLE');
    expect(shown).not.toContain('wJalrXUtnFEMI');
  });
});
