import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSecretsContract } from 'runnable-ts/testing';
import { DoNothingSecretsManager, DotenvSecretsManager, EnvSecretsManager } from '../../src/stores/secrets/secrets';

runSecretsContract('env', (values) => new EnvSecretsManager({ ...values }));
runSecretsContract('dotenv', (values) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-dotenv-')), '.env');
  fs.writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}="${v}"`).join('\n') + '\n');
  return new DotenvSecretsManager({ location: file });
});
runSecretsContract('do-nothing', () => new DoNothingSecretsManager(), { strict: false });
