import type { SecretsManager } from '../../src/stores/secrets/secrets';
import { SecretNotFoundError } from '../../src/stores/secrets/secrets';

/**
 * The behaviour every SecretsManager must have. `make(values)` returns a manager that knows exactly `values`.
 * `strict: false` is for managers that never fail (do-nothing).
 */
export function secretsContract(name: string, make: (values: Record<string, string>) => SecretsManager, opts: { strict?: boolean } = {}): void {
  const strict = opts.strict ?? true;
  describe(`SecretsManager contract: ${name}`, () => {
    it('returns a known secret', () => {
      const m = make({ API_KEY: 'k-123', OTHER: 'with spaces and = signs' });
      if (!strict) {
        expect(typeof m.get('API_KEY')).toBe('string');
        return;
      }
      expect(m.get('API_KEY')).toBe('k-123');
      expect(m.get('OTHER')).toBe('with spaces and = signs');
    });

    it('a missing secret is a SecretNotFoundError that names it and leaks no value', () => {
      const m = make({ PRESENT: 'p-value-999' });
      if (!strict) return expect(m.get('MISSING')).toBe('');
      let err: unknown;
      try {
        m.get('MISSING');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SecretNotFoundError);
      expect((err as Error).message).toContain('MISSING');
      expect((err as Error).message).not.toContain('p-value-999');
    });

    it('describes itself for run_config without values', () => {
      const m = make({ API_KEY: 'k-123' });
      const cfg = m.config();
      expect(typeof cfg.service_name).toBe('string');
      expect(JSON.stringify(cfg)).not.toContain('k-123');
    });
  });
}
