// A task() function whose input nobody provides; tsc names the step FnTask<"deploy", ...>.
import { task, pipeline } from 'runnable-ts';

const build = task(() => ({ artifact: 'a.tgz' }), { name: 'build', returns: ['artifact'] });
const deploy = task(async ({ model }: { model: string }) => ({ ok: model.length > 0 }), { name: 'deploy', returns: ['ok'] });

export default pipeline()
  .step(build)
  // @expect-error FnTask<"deploy", { model: string; }, { ok: boolean; }>
  // @expect-error ✖ missing input 'model'
  .step(deploy)
  .build();
