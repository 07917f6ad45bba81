import type { EmulatorListenerFactory } from '../options.js';
import { DataPlane, type DataPlaneLimits } from './gateway.js';
import { certificateIssuerFor, dataPlaneRegistryFor } from './iot-registry-adapter.js';
import type { LocalFunction } from './ports.js';

/**
 * The emulator's device gateway on `--mqtt-port`: a server certificate from the emulator's CA
 * for 127.0.0.1, localhost, the listen host and the DescribeEndpoint hosts; AWS's broker
 * limits unless `--quotas none`.
 */
export const dataPlaneListener: EmulatorListenerFactory = async (context) => {
  const names = new Set([
    '127.0.0.1',
    'localhost',
    context.host,
    context.registry.endpointAddress('iot:Data-ATS'),
    context.registry.endpointAddress('iot:Data'),
  ]);
  const server = await context.pki.issueServerCertificate([...names]);
  const quota = context.quotaTable?.limits;
  const limits: DataPlaneLimits | undefined = quota && {
    connectsPerSecond: quota.connectsPerSecond,
    connectsPerSecondPerClientId: quota.connectsPerSecondPerClientId,
    fleetCreateKeysAndCertificatePerSecond: quota.fleetCreateKeysAndCertificatePerSecond,
    fleetCreateCertificateFromCsrPerSecond: quota.fleetCreateCertificateFromCsrPerSecond,
    fleetRegisterThingPerSecond: quota.fleetRegisterThingPerSecond,
    retainedMessages: quota.retainedMessages,
    retainedPublishesPerSecond: quota.retainedPublishesPerSecond,
    retainedPublishesPerSecondPerTopic: quota.retainedPublishesPerSecondPerTopic,
    queuedMessagesPerSecond: quota.queuedMessagesPerSecond,
  };
  const plane = await DataPlane.start({
    registry: dataPlaneRegistryFor(context.registry, context.pki),
    issuer: certificateIssuerFor(context.pki),
    serverCertificateChainPem: server.chainPem,
    serverPrivateKeyPem: server.privateKeyPem,
    host: context.host,
    port: context.options.mqttPort ?? 0,
    limits,
    registrationLimit: context.quotaGate?.deviceCertificateRegistrations,
    localFunctions: context.options.localFunctions as Record<string, LocalFunction> | undefined,
  });
  return { name: 'data-plane', mqtt: { host: context.host, port: plane.port }, close: () => plane.close() };
};
