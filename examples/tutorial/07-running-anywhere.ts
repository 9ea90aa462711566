/**
 * Chapter 7 of the tutorial: running anywhere.
 *
 * This file is chapter 4's pipeline, unchanged: it re-exports it. Where its steps run is chosen in the
 * configuration (examples/tutorial/configs/), never here:
 *
 *   npx runnable run examples/tutorial/07-running-anywhere.ts                                                  # local
 *   npx runnable run examples/tutorial/07-running-anywhere.ts -c examples/tutorial/configs/emulator.config.ts  # a process per step
 *   RUNNABLE_VAR_image=$(scripts/node-image.sh) \
 *     npx runnable run examples/tutorial/07-running-anywhere.ts -c examples/tutorial/configs/local-container.config.ts
 *   npx runnable run examples/tutorial/07-running-anywhere.ts -c examples/tutorial/configs/argo.config.ts     # writes argo-pipeline.yaml
 */
export { default } from './04-connecting-workflow';
