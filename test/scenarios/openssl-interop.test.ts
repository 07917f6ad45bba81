import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DeviceCa } from '../../scenarios/lib/device-ca.js';
import { createCsr, generateDeviceKey } from '../../scenarios/lib/device-keys.js';
import { describeWithTool } from '../support/tools.js';

describeWithTool('openssl', 'device CSRs and certificates checked by OpenSSL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provbench-openssl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies the self-signature and subject of EC and RSA CSRs', async () => {
    for (const keyType of ['ec', 'rsa'] as const) {
      const csrPem = createCsr(await generateDeviceKey(keyType), 'CN=dev-9, O=acme');
      const out = spawnSync('openssl', ['req', '-noout', '-verify', '-subject'], {
        input: csrPem,
        encoding: 'utf8',
      });
      expect(out.status, out.stderr).toBe(0);
      expect(`${out.stdout}${out.stderr}`).toMatch(/verify OK/);
      expect(out.stdout).toMatch(/CN\s*=\s*dev-9, O\s*=\s*acme/);
    }
  });

  it('verifies device and verification certificates against the customer CA', async () => {
    const ca = await DeviceCa.create({ commonName: 'openssl check CA' });
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certificatePem);
    const device = await ca.issueDevice('CN=dev-10');
    const verification = await ca.verificationCertificate('ab'.repeat(32));
    for (const pem of [device.certificatePem, verification]) {
      const out = spawnSync('openssl', ['verify', '-CAfile', caFile], { input: pem, encoding: 'utf8' });
      expect(`${out.stdout}${out.stderr}`).toMatch(/OK/);
      expect(out.status, out.stderr).toBe(0);
    }
  });
});
