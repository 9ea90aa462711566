import type { SecretsManager } from '../../stores/secrets/secrets';
import { SecretNotFoundError } from '../../stores/secrets/secrets';
import { testApi, type ContractOptions } from './test-api';

/**
 * The behaviour every SecretsManager must have. `make(values)` returns a manager that knows exactly `values`.
 * `strict: false` is for managers that never fail (do-nothing).
 */
export function runSecretsContract(
  name: string,
  make: (values: Record<string, string>) => SecretsManager,
  opts: ContractOptions & { strict?: boolean } = {},
): void {
  const t = testApi('runSecretsContract', opts);
  const strict = opts.strict ?? true;
  t.describe(`SecretsManager contract: ${name}`, () => {
    t.it('returns a known secret', () => {
      const m = make({ API_KEY: 'k-123', OTHER: 'with spaces and = signs' });
      if (!strict) {
        t.expect(typeof m.get('API_KEY')).toBe('string');
        return;
      }
      t.expect(m.get('API_KEY')).toBe('k-123');
      t.expect(m.get('OTHER')).toBe('with spaces and = signs');
    });

    t.it('a missing secret is a SecretNotFoundError that names it and leaks no value', () => {
      const m = make({ PRESENT: 'p-value-999' });
      if (!strict) return t.expect(m.get('MISSING')).toBe('');
      let err: unknown;
      try {
        m.get('MISSING');
      } catch (e) {
        err = e;
      }
      t.expect(err).toBeInstanceOf(SecretNotFoundError);
      t.expect((err as Error).message).toContain('MISSING');
      t.expect((err as Error).message).not.toContain('p-value-999');
    });

    t.it('describes itself for run_config without values', () => {
      const m = make({ API_KEY: 'k-123' });
      const cfg = m.config();
      t.expect(typeof cfg.service_name).toBe('string');
      t.expect(JSON.stringify(cfg)).not.toContain('k-123');
    });
  });
}
