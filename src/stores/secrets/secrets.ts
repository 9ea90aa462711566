import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Dotenv from 'dotenv';
// loaded by the dotenv secrets manager when it reads its file, not at start-up
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parseDotenv = ((...a: Parameters<typeof Dotenv.parse>) => (require('dotenv') as typeof Dotenv).parse(...a)) as typeof Dotenv.parse;
import { RunnableError } from '../../errors';

export class SecretNotFoundError extends RunnableError {
  override readonly code = 'SECRET_NOT_FOUND';
}

/**
 * Extension point: where secrets come from. A task declares the secrets it needs (`secrets: ['API_KEY']`); the
 * engine fetches them just before the step runs, exposes them as environment variables for the duration of the
 * step, and keeps their values out of the run log, the catalog and error messages.
 */
export interface SecretsManager {
  readonly type: string;
  /** The secret's value; throws SecretNotFoundError naming the secret (never a value) when it is missing. */
  get(name: string): string;
  config(): Record<string, unknown>;
}

/** Secrets from the process environment (the default). */
export class EnvSecretsManager implements SecretsManager {
  readonly type = 'env';
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  get(name: string): string {
    const v = this.env[name];
    if (v === undefined) throw new SecretNotFoundError(`No secret found by name: ${name} in environment variables. Set ${name} in the environment before the run.`);
    return v;
  }
  config(): Record<string, unknown> {
    return { service_name: 'env-secrets', service_type: 'secrets' };
  }
}

export interface DotenvSecretsConfig {
  /** The .env file. Default `.env`. */
  location?: string;
}

/** Secrets from a .env file (standard dotenv syntax: comments, quotes, `export` prefixes). Read once, when first needed. */
export class DotenvSecretsManager implements SecretsManager {
  readonly type = 'dotenv';
  private values: Record<string, string> | undefined;
  private readonly file: string;
  constructor(private readonly cfg: DotenvSecretsConfig = {}) {
    this.file = path.resolve(cfg.location ?? '.env');
  }
  get(name: string): string {
    if (!this.values) {
      let text: string;
      try {
        text = fs.readFileSync(this.file, 'utf8');
      } catch {
        throw new SecretNotFoundError(`No secret found by name: ${name}: the dotenv file ${this.file} cannot be read. Create it or set secrets.config.location.`);
      }
      this.values = parseDotenv(text.replace(/^\s*export\s+/gm, ''));
    }
    const v = this.values[name];
    if (v === undefined) throw new SecretNotFoundError(`No secret found by name: ${name} in ${this.cfg.location ?? '.env'}. Add a line '${name}=...' to it.`);
    return v;
  }
  config(): Record<string, unknown> {
    return { service_name: 'dotenv', service_type: 'secrets', location: this.cfg.location ?? '.env' };
  }
}

/** Returns '' for every secret. For tests and dry runs. */
export class DoNothingSecretsManager implements SecretsManager {
  readonly type = 'do-nothing';
  get(): string {
    return '';
  }
  config(): Record<string, unknown> {
    return { service_name: 'do-nothing', service_type: 'secrets' };
  }
}

/** Replaces every occurrence of the secret values in a text by '***'. */
export function redact(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const v of secretValues) if (v.length >= 3) out = out.split(v).join('***');
  return out;
}
