import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';

/** Absolute path of the published run-log JSON Schema. */
export const RUN_LOG_SCHEMA_PATH = join(__dirname, '..', '..', 'schema', 'run-log.schema.json');

let cached: ValidateFunction | undefined;

/** The compiled run-log validator (compiled once per test module, then cached). */
export function runLogValidator(): ValidateFunction {
  if (cached === undefined) {
    const schema = JSON.parse(readFileSync(RUN_LOG_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    cached = ajv.compile(schema);
  }
  return cached;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  const propertyName: unknown = e.propertyName ?? (e.params as { propertyName?: unknown }).propertyName;
  const extra = propertyName === undefined ? '' : ` (property name ${JSON.stringify(propertyName)})`;
  return `  ${where}: ${e.message ?? e.keyword}${extra}`;
}

/** Throws an Error listing every schema violation (instancePath + message) when `runLog` is not a valid run log. */
export function assertValidRunLog(runLog: unknown): void {
  const validate = runLogValidator();
  if (validate(runLog)) return;
  const lines = (validate.errors ?? []).map(describeError);
  throw new Error(`run log does not match schema/run-log.schema.json:\n${lines.join('\n')}`);
}
