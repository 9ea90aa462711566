import { executorContract } from '../contracts/executor.contract';
import { LocalExecutor } from '../../src/executors/local';
import { MockedExecutor } from '../../src/executors/mocked';

executorContract('local', () => new LocalExecutor());
// the executor of runPipeline({ mock }): with nothing patched, every step runs its own code
executorContract('mocked', () => new MockedExecutor({ unpatched: 'run' }));
