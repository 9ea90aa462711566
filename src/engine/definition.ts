import * as path from 'node:path';
import type { PipelineRef } from '../executors/executor';
import { definedIn } from '../sdk/definition';
import type { AnyPipeline } from '../types/any';

/**
 * Where a pipeline is defined (`file#export`), so another process can load it: given by the CLI (or in code), else
 * found from the module whose `.build()` made it, by looking for the export that holds this very pipeline.
 * The file is relative to `cwd`. Undefined when it cannot be found (a pipeline built inside a function, not exported).
 */
export function pipelineRef(pipeline: AnyPipeline, cwd: string): PipelineRef | undefined {
  if (pipeline.definition) return { file: pipeline.definition.file, exportName: pipeline.definition.exportName };
  const file = definedIn(pipeline);
  const exports = file ? (require.cache[file]?.exports as Record<string, unknown> | undefined) : undefined;
  if (!file || !exports || typeof exports !== 'object') return undefined;
  const exportName = Object.keys(exports).find((k) => exports[k] === pipeline);
  if (!exportName) return undefined;
  return { file: path.relative(cwd, file) || file, exportName };
}
