import type { IamFile } from '../../src/emulator/control-plane/index.js';

/** IAM users for tests of `--iam`: a builder (wildcards, a Deny), conditions and variables, NotAction. */
export const ACCOUNT = '123456789012';

export const TEST_IAM: IamFile = {
  principals: [
    {
      name: 'builder',
      accessKeyId: 'AKIABUILDER000000001',
      secretAccessKey: 'builder-secret',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'iot:Create*',
              Resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/allowed-*`,
            },
            { Effect: 'Allow', Action: ['iot:DescribeThing', 'iot:ListThings'], Resource: '*' },
            {
              Effect: 'Deny',
              Action: 'iot:CreateThing',
              Resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/allowed-but-denied`,
            },
          ],
        },
      ],
    },
    {
      name: 'conditional',
      accessKeyId: 'AKIACONDITIONAL00001',
      secretAccessKey: 'conditional-secret',
      policies: [
        {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'iot:ListThings',
              Resource: '*',
              Condition: {
                StringEquals: { 'aws:username': 'conditional' },
                IpAddress: { 'aws:SourceIp': '127.0.0.0/8' },
              },
            },
            {
              Effect: 'Allow',
              Action: 'iot:ListPolicies',
              Resource: '*',
              Condition: { StringEquals: { 'aws:username': 'someone-else' } },
            },
            {
              Effect: 'Allow',
              Action: 'iot:CreatePolicy',
              Resource: `arn:aws:iot:us-east-1:${ACCOUNT}:policy/\${aws:username}-*`,
            },
          ],
        },
      ],
    },
    {
      name: 'no-deletes',
      accessKeyId: 'AKIANODELETES0000001',
      secretAccessKey: 'no-deletes-secret',
      policies: [{ Statement: [{ Effect: 'Allow', NotAction: 'iot:Delete*', Resource: '*' }] }],
    },
  ],
};
