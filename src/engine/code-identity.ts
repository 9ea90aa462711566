import { execFile } from 'node:child_process';
import type { CodeIdentity } from '../stores/run-log/types';

function git(args: string[], cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', timeout: 5000 }, (err, stdout) => resolve(err ? null : stdout.trim()));
  });
}

const cache = new Map<string, Promise<CodeIdentity>>();

/**
 * The image a step ran in, when a container executor started this process (it sets RUNNABLE_CONTAINER_IMAGE and
 * RUNNABLE_CONTAINER_IMAGE_ID): recorded next to the git identity, as the Python runnable records a docker identity.
 */
export function containerCodeIdentity(env: NodeJS.ProcessEnv = process.env): CodeIdentity | undefined {
  const image = env.RUNNABLE_CONTAINER_IMAGE;
  if (!image) return undefined;
  const id = env.RUNNABLE_CONTAINER_IMAGE_ID || null;
  return {
    code_identifier: id,
    code_identifier_type: 'docker',
    code_identifier_dependable: !!id,
    code_identifier_url: image,
    code_identifier_message: id ? '' : 'the image id could not be read',
  };
}

/**
 * The git identity of the code that ran: commit, whether tracked files were modified (and which), remote URL.
 * Asked once per process and working folder: a process runs the code it loaded when it started, so later runs in
 * the same process (a notebook, a test suite) run that same code. The three git commands run concurrently, in
 * the background of the first step.
 */
export function gitCodeIdentity(cwd: string = process.cwd()): Promise<CodeIdentity> {
  let identity = cache.get(cwd);
  if (!identity) {
    identity = askGit(cwd);
    cache.set(cwd, identity);
  }
  return identity;
}

async function askGit(cwd: string): Promise<CodeIdentity> {
  // outside a repository (a temp folder, an image without .git) one git process answers, not three
  const commit = await git(['rev-parse', 'HEAD'], cwd);
  const [diff, url] = commit ? await Promise.all([git(['diff', '--name-only', 'HEAD'], cwd), git(['config', '--get', 'remote.origin.url'], cwd)]) : [null, null];
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
