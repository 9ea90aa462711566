import { resolveStores } from '../engine/run';
import { verifyRun } from '../engine/integrity';

/** `runnable verify <run_id>`: exit 0 when every recorded artifact is present with its hash, else 1 (each problem listed). */
export async function verifyCommand(runId: string, flags: { json?: boolean; config?: string }): Promise<number> {
  const { store, catalog } = resolveStores({ configFile: flags.config }, process.env);
  const log = await store.get(runId);
  const report = await verifyRun(log, catalog);
  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    for (const p of report.problems) {
      process.stdout.write(
        p.problem === 'missing'
          ? `❌ missing   ${p.artifact} (put by step '${p.step}', recorded SHA-256 ${p.expected})\n`
          : `❌ changed   ${p.artifact} (put by step '${p.step}'): expected SHA-256 ${p.expected}, found ${p.found}\n`,
      );
    }
    const where = catalog.describe(runId);
    process.stdout.write(
      report.problems.length
        ? `${report.problems.length} of ${report.checked} artifact${report.checked === 1 ? '' : 's'} of run ${runId} do not match its run log (${where}).\n`
        : `✅ ${report.checked} artifact${report.checked === 1 ? '' : 's'} of run ${runId} match${report.checked === 1 ? 'es' : ''} the run log (${where}).\n`,
    );
  }
  return report.problems.length ? 1 : 0;
}
