import { execFile } from 'node:child_process';
import type { CodeIdentity } from '../stores/run-log/types';

function git(args: string[], cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', timeout: 5000 }, (err, stdout) => resolve(err ? null : stdout.trim()));
  });
}

/**
 * The git identity of the code that ran: commit, whether tracked files were modified (and which), remote URL.
 * Computed once per run; the three git commands run concurrently and in the background.
 */
export async function gitCodeIdentity(cwd: string = process.cwd()): Promise<CodeIdentity> {
  const [commit, diff, url] = await Promise.all([
    git(['rev-parse', 'HEAD'], cwd),
    git(['diff', '--name-only', 'HEAD'], cwd),
    git(['config', '--get', 'remote.origin.url'], cwd),
  ]);
  if (!commit) {
    return {
      code_identifier: null,
      code_identifier_type: 'git',
      code_identifier_dependable: false,
      code_identifier_url: null,
      code_identifier_message: 'not a git repository (or git is not installed)',
    };
  }
  const changed = (diff ?? '').split('\n').filter(Boolean);
  return {
    code_identifier: commit,
    code_identifier_type: 'git',
    code_identifier_dependable: changed.length === 0,
    code_identifier_url: url || null,
    code_identifier_message: changed.length ? `changes found in ${changed.join(', ')}` : '',
  };
}
