import { execFileSync } from 'node:child_process';
import type { CodeIdentity } from '../stores/run-log/types';

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

/**
 * The git identity of the code that ran: commit, whether tracked files were modified (and which), remote URL.
 * Computed once per run (it spawns git).
 */
export function gitCodeIdentity(cwd: string = process.cwd()): CodeIdentity {
  const commit = git(['rev-parse', 'HEAD'], cwd);
  if (!commit) {
    return {
      code_identifier: null,
      code_identifier_type: 'git',
      code_identifier_dependable: false,
      code_identifier_url: null,
      code_identifier_message: 'not a git repository (or git is not installed)',
    };
  }
  const changed = (git(['diff', '--name-only', 'HEAD'], cwd) ?? '').split('\n').filter(Boolean);
  return {
    code_identifier: commit,
    code_identifier_type: 'git',
    code_identifier_dependable: changed.length === 0,
    code_identifier_url: git(['config', '--get', 'remote.origin.url'], cwd),
    code_identifier_message: changed.length ? `changes found in ${changed.join(', ')}` : '',
  };
}
