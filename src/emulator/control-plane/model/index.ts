export { hasShapeType } from './constraints.js';
export { compileJavaPattern, UnsupportedPatternError } from './java-regex.js';
export { compileValidators, OperationValidator } from './operation-validator.js';
export {
  type OperationModel,
  operationNamed,
  SERVICE_MODEL_PATH,
  type ServiceModel,
  type Shape,
  type ShapeRef,
  serviceModel,
  shapeNamed,
} from './service-model.js';
