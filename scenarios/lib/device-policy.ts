import type { IoTEndpoint } from '../../src/contract/index.js';

function arnPrefix(endpoint: IoTEndpoint): string {
  return `arn:aws:iot:${endpoint.region}:${endpoint.accountId ?? '*'}`;
}

/** The topic every device publishes its boot message to (allowed by devicePolicyDocument). */
export function bootTopic(thingName: string): string {
  return `provbench/things/${thingName}/boot`;
}

/**
 * The per-device policy of AWS's examples: connect only as the thing the certificate is
 * attached to, publish/subscribe/receive only under its own topic prefix.
 */
export function devicePolicyDocument(endpoint: IoTEndpoint): string {
  const arn = arnPrefix(endpoint);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, not a JS template
  const thing = '${iot:Connection.Thing.ThingName}';
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arn}:client/${thing}` },
      {
        Effect: 'Allow',
        Action: ['iot:Publish', 'iot:Receive'],
        Resource: `${arn}:topic/provbench/things/${thing}/*`,
      },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: `${arn}:topicfilter/provbench/things/${thing}/*`,
      },
    ],
  });
}

/** A claim certificate's policy (fleet provisioning by claim): only the provisioning topics. */
export function claimPolicyDocument(endpoint: IoTEndpoint, templateName: string): string {
  const arn = arnPrefix(endpoint);
  const topics = [
    '$aws/certificates/create/*',
    '$aws/certificates/create-from-csr/*',
    `$aws/provisioning-templates/${templateName}/provision/*`,
  ];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arn}:client/*` },
      {
        Effect: 'Allow',
        Action: ['iot:Publish', 'iot:Receive'],
        Resource: topics.map((t) => `${arn}:topic/${t}`),
      },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topics.map((t) => `${arn}:topicfilter/${t}`) },
    ],
  });
}

/** The JITR activator's policy: receive certificate registration events for one CA. */
export function activatorPolicyDocument(
  endpoint: IoTEndpoint,
  caCertificateId: string,
  clientId: string,
): string {
  const arn = arnPrefix(endpoint);
  const topic = `$aws/events/certificates/registered/${caCertificateId}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arn}:client/${clientId}` },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `${arn}:topicfilter/${topic}` },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: `${arn}:topic/${topic}` },
    ],
  });
}
