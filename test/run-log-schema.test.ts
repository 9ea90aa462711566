import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import ts from 'typescript';
import type { BranchLog, CodeIdentity, RunLog, StepAttempt, StepLog } from '../src/stores/run-log/types';
import { assertValidRunLog, RUN_LOG_SCHEMA_PATH } from './helpers/run-log-schema';

type JsonSchema = Record<string, any>;

const schema = JSON.parse(readFileSync(RUN_LOG_SCHEMA_PATH, 'utf8')) as JsonSchema;
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schema);

function errorsOf(runLog: unknown): ErrorObject[] {
  return validate(runLog) ? [] : [...(validate.errors ?? [])];
}

// ---------------------------------------------------------------------------------------------
// Fixtures (typed against the TS interfaces, so the compiler also checks they are real run logs)
// ---------------------------------------------------------------------------------------------

const gitIdentity: CodeIdentity = {
  code_identifier: '0123456789abcdef0123456789abcdef01234567',
  code_identifier_type: 'git',
  code_identifier_dependable: false,
  code_identifier_url: 'git@github.com:example/project.git',
  code_identifier_message: 'changes found in src/a.ts, src/b.ts',
};

function attempt(overrides: Partial<StepAttempt> = {}): StepAttempt {
  return {
    attempt_number: 1,
    start_time: '2025-01-31 09:15:02.123456',
    end_time: '2025-01-31 09:15:03.654321',
    status: 'SUCCESS',
    message: '',
    input_parameters: {},
    output_parameters: {},
    user_defined_metrics: {},
    retry_indicator: '',
    code_identities: [gitIdentity],
    ...overrides,
  };
}

function terminalStep(internalName: string, name = 'success'): StepLog {
  return {
    name,
    internal_name: internalName,
    status: 'SUCCESS',
    step_type: 'success',
    message: '',
    mock: false,
    attempts: [attempt()],
    branches: {},
    data_catalog: [],
  };
}

function taskRunLog(): RunLog {
  return {
    run_id: 'bold-curie-0931',
    dag_hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    tag: '',
    status: 'SUCCESS',
    steps: {
      'train model': {
        name: 'train model',
        internal_name: 'train model',
        status: 'SUCCESS',
        step_type: 'task',
        message: '',
        mock: false,
        attempts: [
          attempt({
            input_parameters: {
              epochs: { kind: 'json', value: 3, description: 'JSON param: 3' },
              config: { kind: 'json', value: { lr: 0.01, layers: [8, 4], name: null }, description: 'JSON param' },
            },
            output_parameters: {
              model: {
                kind: 'object',
                value: 'model',
                description: 'Pickled object stored in catalog as: model',
                catalog_relative_path: 'bold-curie-0931/model.superjson',
                data_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
              },
            },
            user_defined_metrics: {
              accuracy: { kind: 'metric', value: 0.93, description: 'Metric: 0.93' },
            },
            duration_seconds: 1.531,
            cpu_seconds: 0.4,
            peak_rss_bytes: 73_400_320,
          }),
        ],
        branches: {},
        data_catalog: [
          {
            name: 'data/model.bin',
            data_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
            catalog_relative_path: 'bold-curie-0931/data/model.bin',
            catalog_handler_location: '.catalog',
            stage: 'put',
          },
        ],
      },
      success: terminalStep('success'),
    },
    job: null,
    parameters: {
      epochs: { kind: 'json', value: 3, description: 'JSON param: 3' },
    },
    run_config: { executor: { service_name: 'local' }, run_log_store: { service_name: 'file-system' } },
  };
}

function nestedRunLog(): RunLog {
  const branch = (key: string): BranchLog => {
    const branchName = `fan out.${key}`;
    return {
      internal_name: branchName,
      status: 'SUCCESS',
      steps: {
        [`${branchName}.work`]: {
          name: 'work',
          internal_name: `${branchName}.work`,
          status: 'SUCCESS',
          step_type: 'stub',
          message: '',
          mock: false,
          attempts: [attempt()],
          branches: {},
          data_catalog: [],
        },
        [`${branchName}.success`]: terminalStep(`${branchName}.success`),
      },
      parameters: { x: { kind: 'json', value: key, description: 'JSON param' } },
    };
  };
  return {
    run_id: 'calm-noether-1200',
    dag_hash: null,
    tag: 'nightly',
    status: 'SUCCESS',
    steps: {
      'fan out': {
        name: 'fan out',
        internal_name: 'fan out',
        status: 'SUCCESS',
        step_type: 'parallel',
        message: '',
        mock: false,
        attempts: [],
        branches: { 'fan out.left': branch('left'), 'fan out.right': branch('right') },
        data_catalog: [],
      },
      success: terminalStep('success'),
    },
    job: null,
    parameters: {},
    run_config: {},
  };
}

// ---------------------------------------------------------------------------------------------

describe('schema/run-log.schema.json', () => {
  it('compiles with ajv (draft 2020-12) in strict mode', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('https://runnable-ts.dev/schema/run-log.schema.json');
    expect(schema.title).toBe('runnable run log');
    expect(typeof validate).toBe('function');
  });

  describe('accepts', () => {
    it('(a) a task step with object, json and metric parameters and a put catalog entry, plus a success step', () => {
      expect(errorsOf(taskRunLog())).toEqual([]);
      expect(() => assertValidRunLog(taskRunLog())).not.toThrow();
    });

    it('(b) a parallel step whose branches contain steps', () => {
      expect(errorsOf(nestedRunLog())).toEqual([]);
    });

    it('a map branch two levels deep, whose branch key contains a dot', () => {
      const log = nestedRunLog();
      const inner = log.steps['fan out'].branches['fan out.left'].steps['fan out.left.work'];
      inner.step_type = 'map';
      inner.attempts = [];
      inner.branches = {
        'fan out.left.work.1.5': {
          internal_name: 'fan out.left.work.1.5',
          status: 'SUCCESS',
          steps: { 'fan out.left.work.1.5.success': terminalStep('fan out.left.work.1.5.success') },
          parameters: {},
        },
      };
      expect(errorsOf(log)).toEqual([]);
    });

    it('a job run log', () => {
      const log: RunLog = {
        ...taskRunLog(),
        dag_hash: '',
        steps: {},
        job: {
          status: 'FAIL',
          message: '',
          mock: false,
          code_identities: [{ ...gitIdentity, code_identifier: null, code_identifier_url: null }],
          attempts: [attempt({ status: 'FAIL', message: 'boom', error_type: 'TypeError' })],
          data_catalog: [],
        },
      };
      expect(errorsOf(log)).toEqual([]);
    });

    it("a runnable-ts job's run log: one task step, run_config.kind 'job'", () => {
      const log = taskRunLog() as any;
      log.run_config = { kind: 'job', job_definition_file: 'train.ts#default', pipeline_definition_file: 'train.ts#default' };
      expect(errorsOf(log)).toEqual([]);
    });

    it('unknown extra properties (forward compatibility)', () => {
      const log = taskRunLog() as unknown as JsonSchema;
      log.written_by = 'runnable-ts 9.9';
      log.steps.success.attempts[0].gpu_seconds = 1;
      expect(errorsOf(log)).toEqual([]);
    });
  });

  describe('(c) rejects, at the exact path', () => {
    it("a run_config.kind other than 'pipeline' or 'job'", () => {
      const log = taskRunLog() as any;
      log.run_config = { kind: 'task' };
      expect(errorsOf(log)).toEqual([expect.objectContaining({ instancePath: '/run_config/kind', keyword: 'enum' })]);
    });

    it('run status DONE', () => {
      const log = { ...taskRunLog(), status: 'DONE' };
      expect(errorsOf(log)).toEqual([expect.objectContaining({ instancePath: '/status', keyword: 'enum' })]);
    });

    it('step status DONE', () => {
      const log = taskRunLog() as unknown as JsonSchema;
      log.steps.success.status = 'DONE';
      expect(errorsOf(log)).toEqual([
        expect.objectContaining({ instancePath: '/steps/success/status', keyword: 'enum' }),
      ]);
    });

    it('a missing run_id', () => {
      const { run_id: _omitted, ...log } = taskRunLog();
      expect(errorsOf(log)).toEqual([
        expect.objectContaining({ instancePath: '', keyword: 'required', params: { missingProperty: 'run_id' } }),
      ]);
    });

    it('a badly formatted start_time', () => {
      const log = taskRunLog();
      log.steps['train model'].attempts[0].start_time = '2025-01-31T09:15:02.123Z';
      expect(errorsOf(log)).toEqual([
        expect.objectContaining({ instancePath: '/steps/train model/attempts/0/start_time', keyword: 'pattern' }),
      ]);
    });

    it('a parameter of kind pickle', () => {
      const log = taskRunLog() as unknown as JsonSchema;
      log.steps['train model'].attempts[0].output_parameters.model.kind = 'pickle';
      expect(errorsOf(log)).toEqual([
        expect.objectContaining({
          instancePath: '/steps/train model/attempts/0/output_parameters/model/kind',
          keyword: 'enum',
        }),
      ]);
    });

    it('a bad status inside a nested branch', () => {
      const log = nestedRunLog() as unknown as JsonSchema;
      log.steps['fan out'].branches['fan out.right'].steps['fan out.right.work'].status = 'DONE';
      expect(errorsOf(log)).toEqual([
        expect.objectContaining({
          instancePath: '/steps/fan out/branches/fan out.right/steps/fan out.right.work/status',
          keyword: 'enum',
        }),
      ]);
    });

    it('a root steps key that is not a root internal name (contains a dot)', () => {
      const log = taskRunLog() as unknown as JsonSchema;
      log.steps['a.b'] = terminalStep('success');
      const errors = errorsOf(log);
      expect(errors).toContainEqual(
        expect.objectContaining({ instancePath: '/steps', keyword: 'propertyNames', params: { propertyName: 'a.b' } }),
      );
      expect(errors.every((e) => e.instancePath === '/steps')).toBe(true);
    });

    it('a branch steps key that is not prefixed by a branch internal name', () => {
      const log = nestedRunLog() as unknown as JsonSchema;
      const branch = log.steps['fan out'].branches['fan out.left'];
      branch.steps.work = branch.steps['fan out.left.work'];
      delete branch.steps['fan out.left.work'];
      const errors = errorsOf(log);
      expect(errors).toContainEqual(
        expect.objectContaining({
          instancePath: '/steps/fan out/branches/fan out.left/steps',
          keyword: 'propertyNames',
          params: { propertyName: 'work' },
        }),
      );
      expect(errors.every((e) => e.instancePath === '/steps/fan out/branches/fan out.left/steps')).toBe(true);
    });
  });

  describe('assertValidRunLog', () => {
    it('throws listing every error with its instance path and message', () => {
      const log = taskRunLog() as unknown as JsonSchema;
      log.status = 'DONE';
      log.steps['train model'].attempts[0].end_time = 'yesterday';
      delete log.parameters;
      let message = '';
      try {
        assertValidRunLog(log);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain('(root): must have required property \'parameters\'');
      expect(message).toContain('/status: must be equal to one of the allowed values');
      expect(message).toContain('/steps/train model/attempts/0/end_time: must match pattern');
    });

    it('rejects values that are not run logs', () => {
      expect(() => assertValidRunLog(null)).toThrow('(root): must be object');
      expect(() => assertValidRunLog([])).toThrow('(root): must be object');
    });
  });

  // The schema must stay an exact description of src/stores/run-log/types.ts: same fields, same
  // optionality, same string-literal unions. This reads the interfaces with the TypeScript compiler.
  describe('matches src/stores/run-log/types.ts', () => {
    const typesPath = join(__dirname, '..', 'src', 'stores', 'run-log', 'types.ts');
    const source = ts.createSourceFile(typesPath, readFileSync(typesPath, 'utf8'), ts.ScriptTarget.ES2022, true);
    const aliases = new Map<string, ts.TypeNode>();
    const interfaces: ts.InterfaceDeclaration[] = [];
    source.forEachChild((node) => {
      if (ts.isTypeAliasDeclaration(node)) aliases.set(node.name.text, node.type);
      if (ts.isInterfaceDeclaration(node)) interfaces.push(node);
    });

    const resolve = (s: JsonSchema): JsonSchema => {
      if (typeof s.$ref !== 'string') return s;
      const name = (s.$ref as string).replace('#/$defs/', '');
      return resolve(schema.$defs[name]);
    };

    /** The string literals of a union type (following local aliases), or undefined if it is not one. */
    const literals = (type: ts.TypeNode): string[] | undefined => {
      if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && aliases.has(type.typeName.text)) {
        return literals(aliases.get(type.typeName.text)!);
      }
      const parts = ts.isUnionTypeNode(type) ? [...type.types] : [type];
      const values = parts.map((p) => (ts.isLiteralTypeNode(p) && ts.isStringLiteral(p.literal) ? p.literal.text : undefined));
      return values.every((v) => v !== undefined) ? (values as string[]) : undefined;
    };

    it('covers every interface', () => {
      const expected = interfaces.map((i) => i.name.text).filter((n) => n !== 'RunLog');
      expect(expected.filter((n) => schema.$defs[n] === undefined)).toEqual([]);
    });

    it.each(interfaces.map((i) => [i.name.text, i] as const))('%s: fields, required and enums', (name, decl) => {
      const node = name === 'RunLog' ? schema : schema.$defs[name];
      const props = decl.members.filter(ts.isPropertySignature);
      const fieldNames = props.map((p) => p.name.getText(source));
      const requiredNames = props.filter((p) => p.questionToken === undefined).map((p) => p.name.getText(source));
      expect(Object.keys(node.properties).sort()).toEqual([...fieldNames].sort());
      expect([...node.required].sort()).toEqual([...requiredNames].sort());
      for (const p of props) {
        const values = p.type === undefined ? undefined : literals(p.type);
        if (values === undefined) continue;
        const propSchema = resolve(node.properties[p.name.getText(source)]);
        expect({ field: p.name.getText(source), enum: [...(propSchema.enum ?? [])].sort() }).toEqual({
          field: p.name.getText(source),
          enum: [...values].sort(),
        });
      }
    });
  });
});
