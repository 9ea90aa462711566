import * as fs from 'node:fs';
import { SecretNotFoundError, type SecretsManager } from '../stores/secrets/secrets';

/** Secrets shorter than this are not redacted (replacing every 'a' or '1' in a log would destroy it and hide nothing). */
export const MIN_REDACTED_LENGTH = 3;
/** Encoded forms shorter than this are not searched for (too likely to occur by chance). */
const MIN_ENCODED_LENGTH = 8;

/**
 * The strings a secret's value may appear as in text the engine records: as is, JSON-escaped (inside a JSON
 * string), URL-encoded, and base64 (the characters that depend on the secret's bytes alone, for each of the three
 * alignments inside a longer base64 text). Longest first, so a longer form is replaced before a part of it.
 */
export function secretForms(value: string): string[] {
  if (value.length < MIN_REDACTED_LENGTH) return [];
  const forms = new Set<string>([value]);
  const add = (s: string, min = MIN_ENCODED_LENGTH) => {
    if (s.length >= min) forms.add(s);
  };
  add(JSON.stringify(value).slice(1, -1), MIN_REDACTED_LENGTH);
  add(encodeURIComponent(value), MIN_REDACTED_LENGTH);
  const bytes = Buffer.from(value, 'utf8');
  for (let skip = 0; skip < 3; skip++) {
    // Bytes from `skip` on start a 3-byte group in base64 of any text where the secret sits at offset 3k + (3 - skip) % 3.
    const rest = bytes.subarray(skip);
    const whole = rest.subarray(0, rest.length - (rest.length % 3));
    add(whole.toString('base64'));
    add(whole.toString('base64url'));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every form of every secret value by '***'. */
export function redactAll(text: string, forms: readonly string[]): string {
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.split(f).join('***');
  return out;
}

/** The first form found in the text, if any. */
export function findForm(text: string, forms: readonly string[]): string | undefined {
  return forms.find((f) => text.includes(f));
}

/**
 * Redacts a stream of text written in chunks: a secret split across two writes is still caught. It holds back
 * the end of the text that could be the beginning of a secret form until the next chunk (or `end()`) decides.
 */
export class StreamRedactor {
  private held = '';
  private readonly maxLen: number;
  constructor(private readonly forms: readonly string[]) {
    this.maxLen = forms.reduce((m, f) => Math.max(m, f.length), 0);
  }

  /** The redacted text that can be shown now. */
  write(chunk: string): string {
    if (!this.forms.length) return chunk;
    const text = redactAll(this.held + chunk, this.forms);
    const keep = this.partialTail(text);
    this.held = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** What was held back (redacted): call when the stream ends. */
  end(): string {
    const rest = redactAll(this.held, this.forms);
    this.held = '';
    return rest;
  }

  private partialTail(text: string): number {
    return partialTail(text, this.forms, this.maxLen);
  }
}

/** Length of the longest suffix of text that is a proper prefix of some form (the start of a secret cut off). */
function partialTail(text: string, forms: readonly string[], maxLen = forms.reduce((m, f) => Math.max(m, f.length), 0)): number {
  for (let n = Math.min(maxLen - 1, text.length); n > 0; n--) {
    const tail = text.slice(text.length - n);
    if (forms.some((f) => f.length > n && f.startsWith(tail))) return n;
  }
  return 0;
}

/**
 * Redacts text that was cut at `cut` (output truncated at its size limit): the end before the cut may be the start
 * of a secret whose rest was dropped, so it is redacted too.
 */
export function redactCut(text: string, cut: number, forms: readonly string[]): string {
  const before = redactAll(text.slice(0, cut), forms);
  const n = partialTail(before, forms);
  return `${before.slice(0, before.length - n)}${n ? '***' : ''}${redactAll(text.slice(cut), forms)}`;
}

/**
 * The run's secret values, for redaction: every secret any step of the pipeline declares that the manager can
 * give now (a secret it cannot give is fetched, and fails, only by the step that declares it).
 */
export function knownSecretForms(secrets: SecretsManager, names: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const name of names) {
    try {
      for (const f of secretForms(secrets.get(name))) forms.add(f);
    } catch {
      // missing: the declaring step fails with SecretNotFoundError when it runs
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * What a step sees when it injects the secrets manager (`@inject(SECRETS)`): only the secrets it declares.
 * Asking for another one fails as if it did not exist, naming the step and the fix.
 */
export function scopedSecrets(inner: SecretsManager, stepName: string, declared: readonly string[]): SecretsManager {
  return {
    type: inner.type,
    config: () => inner.config(),
    get: (name: string) => {
      if (!declared.includes(name)) {
        throw new SecretNotFoundError(`Step '${stepName}' asked for secret '${name}', which it does not declare. Add it to the step's options: secrets: ['${name}'].`);
      }
      return inner.get(name);
    },
  };
}

/** Whether a local file contains one of the forms (read in chunks with an overlap, so memory stays flat). */
export async function fileContainsForm(absPath: string, forms: readonly string[]): Promise<string | undefined> {
  if (!forms.length) return undefined;
  const overlap = forms.reduce((m, f) => Math.max(m, Buffer.byteLength(f)), 0) - 1;
  const fh = await fs.promises.open(absPath, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    let carry = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return undefined;
      const text = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
      const found = forms.find((f) => text.includes(f));
      if (found) return found;
      carry = Buffer.from(text.subarray(Math.max(0, text.length - overlap)));
    }
  } finally {
    await fh.close();
  }
}
