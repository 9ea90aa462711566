// Chapter 7: every step in a podman container of the image named by RUNNABLE_VAR_image (build one, offline, with
// scripts/node-image.sh). The flags are the ones podman needs as root on hosts without systemd cgroups or crun;
// with docker, `binary: 'docker'` and no binaryArgs.
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: {
    type: 'local-container',
    config: {
      image: '${image}',
      binary: 'podman',
      binaryArgs: ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'],
      runArgs: ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--network', 'none'],
    },
  },
  runLogStore: { type: 'chunked-fs', config: { log_folder: '.run_log_store' } },
  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },
});
