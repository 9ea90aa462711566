/**
 * Secrets: a step declares the secrets it needs; they come from the configured secrets manager (environment
 * variables by default, a .env file with the dotenv manager), reach the step as environment variables and through
 * the injected manager, and never appear in the run log, the catalog or error messages.
 *
 *   API_KEY=abc123 npx runnable run examples/05-secrets/uses-secret.ts
 *   npx runnable run examples/05-secrets/uses-secret.ts --config examples/configs/dotenv.config.ts   # reads examples/05-secrets/example.env
 */
import 'reflect-metadata';
import { inject } from 'tsyringe';
import { SECRETS, Task, pipeline, shell, type SecretsManager } from 'runnable-ts';

@Task({ name: 'call_api', secrets: ['API_KEY'], returns: ['key_length'] })
export class CallApi {
  constructor(@inject(SECRETS) private readonly secrets: SecretsManager) {}
  run() {
    const key = this.secrets.get('API_KEY');
    if (process.env.API_KEY !== key) throw new Error('the secret is also an environment variable during the step');
    return { key_length: key.length };
  }
}

const fromShell = shell('test -n "$API_KEY" && export shell_saw_key=true', { name: 'shell_uses_secret', secrets: ['API_KEY'], returns: ['shell_saw_key'] });

export default pipeline('secrets').step(CallApi).step(fromShell).build();
