/**
 * A shell job (the Python original's ShellJob): one command run on its own, its exported variables recorded.
 * It fails while data/rows.csv is missing; once the file is there, `runnable retry <run_id>` runs it again in the
 * same run (docs/jobs.md).
 *
 *   npx runnable job examples/11-jobs/count-rows.ts --run-id count-001     # fails: no data/rows.csv
 *   mkdir -p data && printf 'id,value\n1,3\n2,5\n' > data/rows.csv
 *   npx runnable retry count-001                                             # succeeds: rows=2
 */
import { job, shell } from 'runnable-ts';

export default job(
  shell(
    `test -f data/rows.csv || { echo "data/rows.csv is missing" >&2; exit 1; }
     export rows=$(( $(wc -l < data/rows.csv) - 1 ))
     echo "data/rows.csv has $rows rows"`,
    { name: 'count_rows', returns: ['rows'] },
  ),
);
