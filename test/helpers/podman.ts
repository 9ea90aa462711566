import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** podman as these machines run it (as root, without a Docker engine): runc and cgroupfs, explicit ulimits. */
export const PODMAN_ARGS = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
export const PODMAN_RUN_ARGS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--network', 'none'];
export const NODE_IMAGE = `localhost/runnable-ts-node:${process.version}`;

/**
 * Makes sure podman works and the node image exists (built offline by scripts/node-image.sh). Throws a loud error
 * when podman is missing: the container tests must never pass silently (.ci/run installs podman and runc).
 */
export function ensureNodeImage(): string {
  const which = spawnSync('podman', ['--version'], { encoding: 'utf8' });
  if (which.error || which.status !== 0) {
    throw new Error('podman is not installed: the local-container executor is tested with real containers. Install it: apt-get install -y podman runc');
  }
  if (spawnSync('podman', [...PODMAN_ARGS, 'image', 'exists', NODE_IMAGE]).status !== 0) {
    execFileSync('bash', [path.resolve(__dirname, '../../scripts/node-image.sh'), NODE_IMAGE, 'podman'], { stdio: 'inherit' });
  }
  return NODE_IMAGE;
}

/** The executor section of a configuration that runs every step in a podman container of the node image. */
export function containerConfigYaml(image = NODE_IMAGE): string {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return [
    'executor:',
    '  type: local-container',
    '  config:',
    `    image: ${image}`,
    '    binary: podman',
    `    binaryArgs: ${list(PODMAN_ARGS)}`,
    `    runArgs: ${list(PODMAN_RUN_ARGS)}`,
    '    maxContainers: 2',
    'runLogStore:',
    '  type: chunked-fs',
    '',
  ].join('\n');
}
