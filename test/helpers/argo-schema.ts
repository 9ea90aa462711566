import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormatsMod from 'ajv-formats';
import { ROOT } from './cli';

const addFormats = ((addFormatsMod as unknown as { default?: typeof addFormatsMod }).default ?? addFormatsMod) as unknown as (ajv: Ajv2020) => void;

let validators: { Workflow: ValidateFunction; CronWorkflow: ValidateFunction } | undefined;

/** Argo's own JSON Schema (schema/argo/), compiled once; IntOrString patched to what Argo accepts (see its README). */
function compile(): NonNullable<typeof validators> {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/argo/workflow.schema.json'), 'utf8'));
  schema.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { type: ['integer', 'string'] };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('uint64', true);
  ajv.addSchema(schema);
  const root = (kind: string) => ajv.compile({ $ref: `${schema.$id}#/definitions/io.argoproj.workflow.v1alpha1.${kind}` });
  return { Workflow: root('Workflow'), CronWorkflow: root('CronWorkflow') };
}

/** Schema errors of a Workflow or CronWorkflow manifest ([] when valid). */
export function schemaErrors(doc: Record<string, any>): string[] {
  validators ??= compile();
  const v = doc.kind === 'CronWorkflow' ? validators.CronWorkflow : doc.kind === 'Workflow' ? validators.Workflow : undefined;
  if (!v) return [`kind must be Workflow or CronWorkflow, got ${JSON.stringify(doc.kind)}`];
  return v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
