import { executorContract } from '../contracts/executor.contract';
import { LocalExecutor } from '../../src/executors/local';

executorContract('local', () => new LocalExecutor());
