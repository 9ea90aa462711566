import { walkSteps } from '../../src/stores/run-log/document';
import type { Parameter, RunLog, StepLog } from '../../src/stores/run-log/types';

// The executor contract's comparison (test/e2e/executor-contract.test.ts, test/e2e/argo-emulation.test.ts).

function values(params: Record<string, Parameter>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.kind === 'object' ? { object: p.data_hash } : { [p.kind]: p.value }]));
}

/** What must be the same whatever executor ran the pipeline. */
export function shape(log: RunLog): unknown {
  const steps: Record<string, unknown> = {};
  const branches: Record<string, unknown> = {};
  walkSteps(log.steps, (s: StepLog) => {
    steps[s.internal_name] = {
      status: s.status,
      type: s.step_type,
      attempts: s.attempts.map((a) => ({
        number: a.attempt_number,
        status: a.status,
        inputs: Object.keys(a.input_parameters).sort(),
        outputs: values(a.output_parameters),
        metrics: values(a.user_defined_metrics),
      })),
      catalog: s.data_catalog.filter((c) => !c.name.endsWith('.execution.log')).map((c) => `${c.stage} ${c.name} ${c.data_hash}`).sort(),
    };
    for (const [name, b] of Object.entries(s.branches)) branches[name] = { status: b.status, parameters: values(b.parameters) };
  });
  return { status: log.status, parameters: values(log.parameters), steps, branches };
}
