import { readFileSync } from 'node:fs';

/** Where a request member travels (botocore's `location`); absent means the JSON body. */
export type MemberLocation = 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';

export interface ShapeRef {
  shape: string;
  location?: MemberLocation;
  /** The path label, query parameter, header or JSON member name when it differs. */
  locationName?: string;
  jsonvalue?: boolean;
}

export type ShapeType =
  | 'structure'
  | 'list'
  | 'map'
  | 'string'
  | 'integer'
  | 'long'
  | 'float'
  | 'double'
  | 'boolean'
  | 'timestamp'
  | 'blob';

/** One entry of `shapes` in botocore's service-2.json (documentation left out). */
export interface Shape {
  type: ShapeType;
  members?: Record<string, ShapeRef>;
  required?: string[];
  /** The member sent as the whole body (rest-json). */
  payload?: string;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  /** A Java regular expression the whole value must match. */
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  exception?: boolean;
  error?: { httpStatusCode: number };
}

export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string };
  input?: { shape: string };
  output?: { shape: string };
  errors?: Array<{ shape: string }>;
}

export interface ServiceModel {
  metadata: { apiVersion: string; protocol: string; serviceId: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

/** botocore's AWS IoT model, vendored unchanged (vendor/botocore/iot-2015-05-28/README.md). */
export const SERVICE_MODEL_PATH = new URL(
  '../../../../vendor/botocore/iot-2015-05-28/service-2.json',
  import.meta.url,
);

let loaded: ServiceModel | undefined;

/** Reads and parses the vendored model once per process. */
export function serviceModel(): ServiceModel {
  loaded ??= JSON.parse(readFileSync(SERVICE_MODEL_PATH, 'utf8')) as ServiceModel;
  return loaded;
}

/** A shape by name; a name the model lacks is a programming error. */
export function shapeNamed(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`AWS IoT's service model has no shape ${name}`);
  return shape;
}

export function operationNamed(model: ServiceModel, name: string): OperationModel {
  const operation = model.operations[name];
  if (!operation) throw new Error(`AWS IoT's service model has no operation ${name}`);
  return operation;
}
