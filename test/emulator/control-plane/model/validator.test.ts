import { describe, expect, it } from 'vitest';
import type { OperationInput } from '../../../../src/emulator/control-plane/input.js';
import {
  compileValidators,
  type ServiceModel,
  type Shape,
} from '../../../../src/emulator/control-plane/model/index.js';
import { IotError } from '../../../../src/emulator/registry/index.js';

/** A small model with one constraint of each kind, shaped like botocore's. */
const shapes: Record<string, Shape> = {
  PutRequest: {
    type: 'structure',
    required: ['name', 'count', 'item'],
    members: {
      name: { shape: 'Name', location: 'uri', locationName: 'name' },
      count: { shape: 'Count', location: 'querystring', locationName: 'count' },
      flag: { shape: 'Flag', location: 'querystring', locationName: 'flag' },
      ids: { shape: 'IdList', location: 'querystring', locationName: 'id' },
      token: { shape: 'Name', location: 'header', locationName: 'x-amz-token' },
      item: { shape: 'Item' },
      renamed: { shape: 'Name', locationName: 'Renamed' },
    },
  },
  Name: { type: 'string', min: 1, max: 8, pattern: '[a-z]+' },
  Count: { type: 'integer', min: 1, max: 10 },
  Big: { type: 'long', max: 100 },
  Ratio: { type: 'double', min: 0 },
  Flag: { type: 'boolean' },
  Color: { type: 'string', enum: ['RED', 'GREEN'] },
  IdList: { type: 'list', member: { shape: 'Count' }, max: 2 },
  Item: {
    type: 'structure',
    required: ['color'],
    members: {
      color: { shape: 'Color' },
      big: { shape: 'Big' },
      ratio: { shape: 'Ratio' },
      when: { shape: 'When' },
      Tags: { shape: 'TagList' },
      labels: { shape: 'Labels' },
      child: { shape: 'Item' },
    },
  },
  When: { type: 'timestamp' },
  TagList: { type: 'list', member: { shape: 'Tag' }, min: 1, max: 2 },
  Tag: {
    type: 'structure',
    required: ['Key'],
    members: { Key: { shape: 'Name' }, Value: { shape: 'Name' } },
  },
  Labels: { type: 'map', key: { shape: 'Name' }, value: { shape: 'Color' }, max: 2 },
  PayloadRequest: {
    type: 'structure',
    required: ['item'],
    members: { item: { shape: 'Item' } },
    payload: 'item',
  },
};

const model: ServiceModel = {
  metadata: { apiVersion: 'test', protocol: 'rest-json', serviceId: 'Test' },
  operations: {
    Put: {
      name: 'Put',
      http: { method: 'PUT', requestUri: '/things/{name}' },
      input: { shape: 'PutRequest' },
    },
    PutPayload: {
      name: 'PutPayload',
      http: { method: 'POST', requestUri: '/p' },
      input: { shape: 'PayloadRequest' },
    },
    Ping: { name: 'Ping', http: { method: 'GET', requestUri: '/ping' } },
  },
  shapes,
};

const validators = compileValidators(model, ['Put', 'PutPayload', 'Ping']);

function request(overrides: Partial<OperationInput> = {}, query: Record<string, string | string[]> = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    for (const each of Array.isArray(value) ? value : [value]) params.append(name, each);
  if (!params.has('count')) params.set('count', '3');
  return {
    labels: { name: 'abc' },
    query: params,
    headers: {},
    body: { item: { color: 'RED' } },
    ...overrides,
  } satisfies OperationInput;
}

const violations = (operation: string, input: OperationInput) => validators.get(operation)!.violations(input);

describe('validation derived from a service model', () => {
  it('accepts a request that keeps every constraint, and an operation without input', () => {
    expect(violations('Put', request())).toEqual([]);
    expect(violations('Ping', request({ body: {} }))).toEqual([]);
    expect(
      violations(
        'Put',
        request(
          {
            headers: { 'x-amz-token': 'tok' },
            body: {
              item: {
                color: 'GREEN',
                big: 100,
                ratio: 0.5,
                when: 1_700_000_000,
                Tags: [{ Key: 'a', Value: 'b' }],
                labels: { a: 'RED' },
                child: { color: 'RED' },
              },
              Renamed: 'ok',
            },
          },
          { flag: 'true', id: ['1', '2'] },
        ),
      ),
    ).toEqual([]);
  });

  it('reports a missing required member wherever it travels', () => {
    expect(violations('Put', request({ body: {} }))).toEqual([
      "Value null at 'item' failed to satisfy constraint: Member must not be null",
    ]);
    const noCount = request();
    noCount.query.delete('count');
    expect(violations('Put', noCount)).toEqual([
      "Value null at 'count' failed to satisfy constraint: Member must not be null",
    ]);
    expect(violations('Put', request({ body: { item: {} } }))).toEqual([
      "Value null at 'item.color' failed to satisfy constraint: Member must not be null",
    ]);
  });

  it('checks string length and pattern, reporting each broken constraint', () => {
    expect(violations('Put', request({ labels: { name: 'ABCDEFGHIJ' } }))).toEqual([
      "Value 'ABCDEFGHIJ' at 'name' failed to satisfy constraint: Member must have length less than or equal to 8",
      "Value 'ABCDEFGHIJ' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
    ]);
    expect(violations('Put', request({ labels: { name: '' } }))).toEqual([
      "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
      "Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
    ]);
    expect(violations('Put', request({ headers: { 'x-amz-token': 'a1' } }))).toEqual([
      "Value 'a1' at 'token' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
    ]);
    expect(violations('Put', request({ body: { item: { color: 'RED' }, Renamed: 'X' } }))).toHaveLength(1);
  });

  it('checks enums', () => {
    expect(violations('Put', request({ body: { item: { color: 'BLUE' } } }))).toEqual([
      "Value 'BLUE' at 'item.color' failed to satisfy constraint: Member must satisfy enum value set: [RED, GREEN]",
    ]);
  });

  it('checks integer, long and double ranges, and types query text by the model', () => {
    expect(violations('Put', request({}, { count: '0' }))).toEqual([
      "Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ]);
    expect(violations('Put', request({}, { count: '11' }))).toEqual([
      "Value '11' at 'count' failed to satisfy constraint: Member must have value less than or equal to 10",
    ]);
    expect(violations('Put', request({}, { count: 'ten' }))).toEqual([
      "Value 'ten' at 'count' failed to satisfy constraint: Member must be an integer",
    ]);
    expect(violations('Put', request({}, { flag: 'yes' }))).toEqual([
      "Value 'yes' at 'flag' failed to satisfy constraint: Member must be true or false",
    ]);
    expect(violations('Put', request({ body: { item: { color: 'RED', big: 101, ratio: -1 } } }))).toEqual([
      "Value '101' at 'item.big' failed to satisfy constraint: Member must have value less than or equal to 100",
      "Value '-1' at 'item.ratio' failed to satisfy constraint: Member must have value greater than or equal to 0",
    ]);
    expect(violations('Put', request({ body: { item: { color: 'RED', big: 1.5 } } }))).toEqual([
      "Value '1.5' at 'item.big' failed to satisfy constraint: Member must be an integer",
    ]);
  });

  it('checks list sizes and list members, with AWS member paths', () => {
    expect(violations('Put', request({}, { id: ['1', '2', '3'] }))).toEqual([
      "Value '[1, 2, 3]' at 'ids' failed to satisfy constraint: Member must have length less than or equal to 2",
    ]);
    expect(violations('Put', request({}, { id: ['1', '20'] }))).toEqual([
      "Value '20' at 'ids.2.member' failed to satisfy constraint: Member must have value less than or equal to 10",
    ]);
    expect(violations('Put', request({ body: { item: { color: 'RED', Tags: [] } } }))).toEqual([
      "Value '[]' at 'item.tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ]);
    expect(
      violations('Put', request({ body: { item: { color: 'RED', Tags: [{ Value: 'x' }, { Key: 'B!' }] } } })),
    ).toEqual([
      "Value null at 'item.tags.1.member.key' failed to satisfy constraint: Member must not be null",
      "Value 'B!' at 'item.tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
    ]);
  });

  it('checks map sizes, keys and values', () => {
    expect(
      violations(
        'Put',
        request({ body: { item: { color: 'RED', labels: { a: 'RED', b: 'RED', c: 'RED' } } } }),
      ),
    ).toEqual([
      `Value '{a=RED, b=RED, c=RED}' at 'item.labels' failed to satisfy constraint: Member must have length less than or equal to 2`,
    ]);
    expect(violations('Put', request({ body: { item: { color: 'RED', labels: { A: 'BLUE' } } } }))).toEqual([
      `Value '{A=BLUE}' at 'item.labels' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 8, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [a-z]+]`,
      `Value '{A=BLUE}' at 'item.labels' failed to satisfy constraint: Map value must satisfy constraint: [Member must satisfy enum value set: [RED, GREEN]]`,
    ]);
  });

  it('checks nested and recursive structures, and type mismatches', () => {
    expect(
      violations('Put', request({ body: { item: { color: 'RED', child: { color: 'RED', child: {} } } } })),
    ).toEqual([
      "Value null at 'item.child.child.color' failed to satisfy constraint: Member must not be null",
    ]);
    expect(violations('Put', request({ body: { item: 'RED' } }))).toEqual([
      "Value 'RED' at 'item' failed to satisfy constraint: Member must be a JSON object",
    ]);
    expect(violations('Put', request({ body: { item: { color: 7, when: 'not a date' } } }))).toEqual([
      "Value '7' at 'item.color' failed to satisfy constraint: Member must be a string",
      "Value 'not a date' at 'item.when' failed to satisfy constraint: Member must be a timestamp (epoch seconds or ISO 8601)",
    ]);
  });

  it('reads the payload member from the whole body', () => {
    expect(violations('PutPayload', request({ body: { color: 'RED' } }))).toEqual([]);
    expect(violations('PutPayload', request({ body: { color: 'BLUE' } }))).toEqual([
      "Value 'BLUE' at 'item.color' failed to satisfy constraint: Member must satisfy enum value set: [RED, GREEN]",
    ]);
  });

  it('throws one InvalidRequestException (400) counting the violations', () => {
    const validator = validators.get('Put')!;
    expect(() => validator.validate(request())).not.toThrow();
    let caught: unknown;
    try {
      validator.validate(request({ labels: { name: 'A' }, body: {} }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IotError);
    const error = caught as IotError;
    expect(error.code).toBe('InvalidRequestException');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe(
      "2 validation errors detected: Value 'A' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; Value null at 'item' failed to satisfy constraint: Member must not be null",
    );
  });
});
