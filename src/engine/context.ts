import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { Graph } from '../graph/graph';
import type { Pipeline } from '../sdk/pipeline';
import type { Catalog } from '../stores/catalog/catalog';
import type { RunLogStore } from '../stores/run-log/store';
import type { CodeIdentity, Parameter, StepLog } from '../stores/run-log/types';
import type { Reporter } from './reporter';
import type { Executor, PipelineRef } from '../executors/executor';
import type { SecretsManager } from '../stores/secrets/secrets';

/** Injection token of the run's catalog: `constructor(@inject(CATALOG) private catalog: Catalog)`. */
export const CATALOG: InjectionToken<Catalog> = Symbol.for('runnable-ts.Catalog');
/** Injection token of the run's secrets manager: `constructor(@inject(SECRETS) private secrets: SecretsManager)`. */
export const SECRETS: InjectionToken<SecretsManager> = Symbol.for('runnable-ts.Secrets');
/** Injection token of the run's run-log store. */
export const RUN_LOG_STORE: InjectionToken<RunLogStore> = Symbol.for('runnable-ts.RunLogStore');

export interface StepLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * What a running step knows about itself. Inject it by type: `constructor(private ctx: StepContext) {}`.
 */
export class StepContext {
  constructor(
    /** The run id. */
    readonly runId: string,
    /** The step's name as declared. */
    readonly stepName: string,
    /** The step's dot-path name in the run log (differs from stepName inside branches). */
    readonly internalName: string,
    /** 1-based attempt number of this execution of the step. */
    readonly attempt: number,
    /** The run's tag ('' when none). */
    readonly tag: string,
    /** Writes lines prefixed with the step name. */
    readonly logger: StepLogger,
  ) {}
}

/** Everything the engine needs during one run. Built once per run (or per single-node execution). */
export interface RunContext {
  readonly runId: string;
  readonly tag: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- executor plugins read this type: no unexported alias
  readonly pipeline: Pipeline<any, any>;
  readonly graph: Graph;
  readonly store: RunLogStore;
  readonly catalog: Catalog;
  readonly secrets: SecretsManager;
  /** Folder that catalog file patterns are relative to (the catalog's compute_data_folder). */
  readonly computeFolder: string;
  readonly reporter: Reporter;
  readonly executor: Executor;
  readonly container: DependencyContainer;
  /** Computed once per run (git is asked in the background while the first step runs). */
  readonly codeIdentities: Promise<CodeIdentity[]>;
  readonly retryIndicator: string;
  /**
   * Task steps running now (for marking them interrupted on Ctrl-C): the attempt number in progress, and `closed`
   * once the run was failed around it (the attempt's own outcome, if it ever comes, is then not recorded).
   */
  readonly running: Map<string, { step: StepLog; started: string; attempt?: number; closed?: boolean }>;
  /** Names of the secrets any step of the pipeline declares: hidden from the environment of the steps that do not. */
  readonly secretNames: ReadonlySet<string>;
  /** Every form of every secret value known to the run (see redaction.ts), redacted from everything recorded or shown. */
  readonly secretForms: readonly string[];
  /** SHA-256 of each catalog file put so far in the run (by name), to check what `catalog: { get }` copies. */
  readonly fileHashes: Map<string, string>;
  /** The configuration file of the run (undefined: embedded defaults or services given in code). */
  readonly configFile?: string;
  /** Where the pipeline is defined, for executors that load it in another process; undefined when unknown. */
  readonly definition?: PipelineRef;
  /** The folder the run was started from. */
  readonly workingDirectory: string;
  /** Step cache settings of the run (docs/caching.md); undefined: no step is cached. */
  readonly cache?: import('./step-cache').CacheSettings;
  /** On retry (and single-node execution): the run log as it was; existing step logs are reused, successful steps skipped. */
  readonly original?: import('../stores/run-log/types').RunLog;
}

/**
 * A parameter scope: the root of the run, or one branch. A branch sees its parent's values (branches inherit),
 * but only what is set in the branch itself is stored in its branch log: a map over 10,000 items does not copy
 * the parent's values 10,000 times. The engine keeps scopes in memory and persists every change.
 */
export class Scope {
  /** Names set in this scope by its steps (not inherited, not the iteration variable): what merges into the parent. */
  readonly written = new Set<string>();

  constructor(
    /** Branch internal name, undefined for the root. */
    readonly branch: string | undefined,
    /** Values set in this scope (the branch log's `parameters`). */
    readonly own: Record<string, Parameter>,
    readonly parent?: Scope,
  ) {}

  get(name: string): Parameter | undefined {
    return Object.prototype.hasOwnProperty.call(this.own, name) ? this.own[name] : this.parent?.get(name);
  }

  /** Every visible value, nearest scope first. */
  all(): Record<string, Parameter> {
    return this.parent ? { ...this.parent.all(), ...this.own } : { ...this.own };
  }

  /** Sets values produced by a step of this scope. */
  set(params: Record<string, Parameter>): void {
    Object.assign(this.own, params);
    for (const k of Object.keys(params)) this.written.add(k);
  }

  /** The values written in this scope, for merging into the parent. */
  writtenValues(): Record<string, Parameter> {
    const out: Record<string, Parameter> = {};
    for (const k of this.written) out[k] = this.own[k]!;
    return out;
  }

  internalName(stepName: string): string {
    return this.branch === undefined ? stepName : `${this.branch}.${stepName}`;
  }
}
