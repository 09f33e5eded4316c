/**
 * A typed client for the kernel's "kale4j" comm target (docs/comm-protocol.md).
 *
 * Requests are `{action, request_id, ...arguments}`; the kernel answers each with
 * `{action, request_id, ok, error?, ...result}`. A run started with `run` is answered at once with its
 * `run_id`; its progress then arrives as `run_progress` messages (one per step change) and a final
 * `run_finished`, which the client turns into `events`.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

export const COMM_TARGET = 'kale4j';

export type StepStatus = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Cached';

export interface StepState {
  name: string;
  status: StepStatus;
  /** Names of the steps this one runs after. */
  deps: string[];
  started_at?: string;
  finished_at?: string;
  duration_ms?: number;
  metrics?: Record<string, unknown>;
  message?: string;
  /** Snapshot of the workspace after the step, when it succeeded and snapshots are on. */
  snapshot?: string;
}

export interface RunState {
  run_id: string;
  pipeline?: string;
  target: string;
  /** Running, then Succeeded, Failed or Stopped. */
  status: string;
  steps: StepState[];
  /** True while the kernel runs it. */
  active?: boolean;
  /** Argo or KFP UI address, for cluster runs (or built with {@link clusterRunUrl}). */
  ui_url?: string;
  /** For cluster runs: the UI's base address and the namespace (Argo), when the run says. */
  ui_base?: string;
  namespace?: string;
  /** Pipeline metrics, when the run is done. */
  metrics?: Record<string, unknown>;
  /** Snapshot id per step (`_initial` before the first step). */
  snapshots?: Record<string, string>;
  /** Why the run could not go on (not a step failure). */
  error?: string;
  duration_ms?: number;
  started_at?: string;
  finished_at?: string;
}

export interface CompileResult {
  ok: boolean;
  error?: string;
  /** 0-based index of the notebook cell the error is about, when known. */
  cell?: number;
  /** The tag at fault, when known. */
  tag?: string;
  pipeline?: string;
  steps?: { name: string; deps: string[] }[];
}

export interface Targets {
  /** Always contains "local". */
  available: string[];
  /** Why a target is not available, by target. */
  reasons?: Record<string, string>;
}

export interface RunEvent {
  event: string;
  run: RunState;
}

export interface RestoredFiles {
  /** The folder, relative to the notebook's folder. */
  folder: string;
  /** How many files were restored. */
  files: number;
  snapshot?: string;
}

export class Kale4jClientError extends Error {}

const STATUS_WORDS = ['Pending', 'Running', 'Succeeded', 'Failed', 'Skipped', 'Cached', 'Error', 'Omitted', 'Stopped'];

function statusWord(v: unknown): string {
  const w = String(v ?? 'Pending');
  return STATUS_WORDS.find(x => x.toLowerCase() === w.toLowerCase()) ?? w;
}

/** Run statuses after which nothing changes any more. */
export const FINISHED = new Set(['Succeeded', 'Failed', 'Error', 'Skipped', 'Cached', 'Omitted', 'Stopped']);

/**
 * The address of a cluster run in its UI: Argo Workflows (`BASE/workflows/NAMESPACE/NAME`) or Kubeflow
 * Pipelines (`BASE/#/runs/details/RUN_ID`). `undefined` for local runs or when the base address (or, for
 * Argo, the namespace) is not known.
 */
export function clusterRunUrl(target: string, opts: { base?: string; namespace?: string; run?: string }): string | undefined {
  const base = (opts.base ?? '').trim().replace(/\/+$/, '');
  const run = (opts.run ?? '').trim();
  if (!base || !run || !/^https?:\/\//.test(base)) {
    return undefined;
  }
  if (target === 'argo') {
    const ns = (opts.namespace ?? '').trim();
    return ns ? `${base}/workflows/${encodeURIComponent(ns)}/${encodeURIComponent(run)}` : undefined;
  }
  if (target === 'kfp') {
    return `${base}/#/runs/details/${encodeURIComponent(run)}`;
  }
  return undefined;
}

/** The link the run view shows: the run's own `ui_url`, else one built from its target, base and namespace. */
export function runUiUrl(run: RunState): string | undefined {
  if (run.ui_url && /^https?:\/\//.test(run.ui_url)) {
    return run.ui_url;
  }
  return clusterRunUrl(run.target, { base: run.ui_base, namespace: run.namespace, run: run.run_id });
}

/** Cluster targets the run view links to, with the label of the link. */
export const CLUSTER_UI_LABELS: Record<string, string> = {
  argo: 'Open in Argo',
  kfp: 'Open in Kubeflow Pipelines'
};

/** The run view's link to a cluster run's UI page: `undefined` for local runs or when no UI address is known. */
export function runUiLink(run: RunState): { href: string; label: string } | undefined {
  const label = CLUSTER_UI_LABELS[run.target];
  const href = label ? runUiUrl(run) : undefined;
  return href && label ? { href, label } : undefined;
}

/** True for a run on a cluster (Argo, KFP), which the kernel follows but does not run itself. */
export function isClusterRun(run: Pick<RunState, 'target'>): boolean {
  return run.target !== 'local' && run.target !== '';
}

/**
 * A run as the UI uses it, from the kernel's JSON: accepts snake_case and the runner's summary.json
 * spelling (runId, durationMs, steps as an object keyed by name).
 */
export function normalizeRun(raw: any): RunState {
  const r = raw && typeof raw === 'object' ? raw : {};
  const rawSteps = r.steps ?? [];
  const list: any[] = Array.isArray(rawSteps)
    ? rawSteps
    : Object.entries(rawSteps).map(([name, v]) => ({ name, ...(v as object) }));
  const steps: StepState[] = list.map(s => ({
    ...s,
    name: String(s.name),
    status: statusWord(s.status) as StepStatus,
    deps: Array.isArray(s.deps) ? s.deps : Array.isArray(s.dependencies) ? s.dependencies : [],
    duration_ms: typeof s.duration_ms === 'number' ? s.duration_ms : typeof s.durationMs === 'number' ? s.durationMs : undefined,
    message: s.message ?? s.error ?? undefined
  }));
  return {
    ...r,
    run_id: String(r.run_id ?? r.runId ?? ''),
    target: String(r.target ?? 'local'),
    status: statusWord(r.status),
    steps,
    ui_url: r.ui_url ?? r.uiUrl,
    metrics: r.metrics,
    duration_ms: typeof r.duration_ms === 'number' ? r.duration_ms : typeof r.durationMs === 'number' ? r.durationMs : undefined
  };
}

/** A `run_progress` message applied to a run: the step's status, duration, message and snapshot. */
export function applyProgress(run: RunState, p: any): RunState {
  const status = statusWord(p.status) as StepStatus;
  const known = run.steps.some(s => s.name === p.step);
  const update = (s: StepState): StepState => ({
    ...s,
    status,
    duration_ms: typeof p.duration_ms === 'number' && (p.duration_ms > 0 || status !== 'Running') ? p.duration_ms : s.duration_ms,
    message: p.message ?? (status === 'Running' ? undefined : s.message),
    snapshot: p.snapshot ?? s.snapshot
  });
  const steps = known
    ? run.steps.map(s => (s.name === p.step ? update(s) : s))
    : [...run.steps, update({ name: String(p.step), status, deps: [] })];
  return { ...run, steps };
}

/** The comm client used by the UI. An interface so that the UI can be tested with a fake. */
export interface IKale4jClient {
  readonly events: ISignal<IKale4jClient, RunEvent>;
  ping(): Promise<boolean>;
  targets(): Promise<Targets>;
  compile(path: string): Promise<CompileResult>;
  /** Starts a run; resolves as soon as the kernel has started it (progress comes as events). */
  run(path: string, target: string): Promise<RunState>;
  status(runId: string): Promise<RunState>;
  /** Stops a running run; resolves to its state afterwards (status Stopped). */
  stop(runId: string): Promise<RunState>;
  listRuns(path?: string): Promise<RunState[]>;
  logs(runId: string, step: string): Promise<string>;
  /** Restores the step's workspace files (after it, or before it) into a folder next to the notebook. */
  restoreFiles(runId: string, step: string, folder: string, after?: boolean): Promise<RestoredFiles>;
  dispose(): void;
}

let counter = 0;

export class Kale4jClient implements IKale4jClient {
  constructor(kernel: Kernel.IKernelConnection, timeoutMs = 60000) {
    this._kernel = kernel;
    this._timeoutMs = timeoutMs;
  }

  get events(): ISignal<IKale4jClient, RunEvent> {
    return this._events;
  }

  private _open(): Kernel.IComm {
    if (this._comm && !this._comm.isDisposed) {
      return this._comm;
    }
    const comm = this._kernel.createComm(COMM_TARGET);
    comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => this._received(msg.content.data as any);
    comm.onClose = () => {
      this._comm = null;
      for (const [, p] of this._pending) {
        p.reject(new Kale4jClientError('the kernel closed the kale4j channel (is this the kale4j kernel?)'));
      }
      this._pending.clear();
    };
    comm.open({});
    this._comm = comm;
    return comm;
  }

  private _received(data: any): void {
    if (!data || typeof data !== 'object') {
      return;
    }
    if (data.action === 'run_progress') {
      this._progress(data);
      return;
    }
    if (data.action === 'run_finished') {
      this._emit(this._merge(normalizeRun(data)));
      return;
    }
    const id = data.request_id;
    if (id && this._pending.has(id)) {
      const p = this._pending.get(id)!;
      this._pending.delete(id);
      if (data.ok === false) {
        p.reject(Object.assign(new Kale4jClientError(String(data.error ?? 'the kernel refused the request')), { reply: data }));
      } else {
        p.resolve(data);
      }
    }
  }

  private _emit(run: RunState): void {
    this._events.emit({ event: 'run_status', run });
  }

  /** Sends one request and waits for its reply. */
  request(action: string, args: Record<string, unknown> = {}, timeoutMs = this._timeoutMs): Promise<any> {
    const request_id = `ui-${Date.now().toString(36)}-${++counter}`;
    return new Promise((resolve, reject) => {
      let comm: Kernel.IComm;
      try {
        comm = this._open();
      } catch (e) {
        reject(new Kale4jClientError(`no kale4j channel: ${(e as Error).message}`));
        return;
      }
      const timer = timeoutMs > 0 ? setTimeout(() => {
        if (this._pending.delete(request_id)) {
          reject(new Kale4jClientError(`the kernel did not answer "${action}" in time`));
        }
      }, timeoutMs) : undefined;
      this._pending.set(request_id, {
        resolve: v => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: e => {
          clearTimeout(timer);
          reject(e);
        }
      });
      comm.send({ action, request_id, ...args } as any);
    });
  }

  async ping(): Promise<boolean> {
    try {
      await this.request('ping');
      return true;
    } catch {
      return false;
    }
  }

  async targets(): Promise<Targets> {
    try {
      const r = await this.request('targets');
      const available: string[] = Array.isArray(r.available) ? r.available : ['local'];
      return { available: available.includes('local') ? available : ['local', ...available], reasons: r.reasons };
    } catch {
      return { available: ['local'], reasons: { argo: 'no cluster configured', kfp: 'no cluster configured' } };
    }
  }

  /** Validates and compiles the saved notebook (the kernel's `graph`, which writes no files). */
  async compile(path: string): Promise<CompileResult> {
    this._path = path;
    try {
      const r = await this.request('graph', { notebook: path });
      const steps = (Array.isArray(r.steps) ? r.steps : []).map((s: any) => ({
        name: String(s.name),
        deps: Array.isArray(s.deps) ? s.deps.map(String) : []
      }));
      return { ok: true, pipeline: r.pipeline, steps };
    } catch (e) {
      const reply = (e as any).reply ?? {};
      return {
        ok: false,
        error: (e as Error).message,
        cell: typeof reply.cell === 'number' ? reply.cell : undefined,
        tag: typeof reply.tag === 'string' ? reply.tag : undefined
      };
    }
  }

  async run(path: string, target: string): Promise<RunState> {
    this._path = path;
    const r = await this.request('run', { notebook: path, target });
    const run = normalizeRun(r);
    // Progress may have arrived before the reply: keep what it said.
    const early = this._runs.get(run.run_id);
    const merged = early
      ? {
          ...run,
          steps: run.steps.map(s => {
            const e = early.steps.find(x => x.name === s.name);
            return e && e.status !== 'Pending' ? { ...s, ...e, deps: s.deps } : s;
          })
        }
      : run;
    this._runs.set(merged.run_id, merged);
    return merged;
  }

  /** Keeps the step order and dependencies the run view already has when a fuller state arrives. */
  private _merge(run: RunState): RunState {
    const known = this._runs.get(run.run_id);
    if (known) {
      const byName = new Map(run.steps.map(s => [s.name, s]));
      const extra = run.steps.filter(s => !known.steps.some(k => k.name === s.name));
      run = {
        ...known,
        ...run,
        steps: [
          ...known.steps.map(s => {
            const n = byName.get(s.name);
            return n ? { ...s, ...n, deps: n.deps.length ? n.deps : s.deps } : s;
          }),
          ...extra
        ]
      };
    }
    this._runs.set(run.run_id, run);
    return run;
  }

  private _progress(p: any): void {
    const id = String(p.run_id ?? '');
    const run = this._runs.get(id) ?? { run_id: id, target: String(p.target ?? 'local'), status: 'Running', steps: [] };
    const next = applyProgress(run, p);
    this._runs.set(id, next);
    this._emit(next);
  }

  async status(runId: string): Promise<RunState> {
    // A cluster run names its target and namespace, so the kernel can read it from the cluster (after a restart).
    const known = this._runs.get(runId);
    const where = known && isClusterRun(known) ? { target: known.target, ...(known.namespace ? { namespace: known.namespace } : {}) } : {};
    const r = await this.request('run_status', { run_id: runId, notebook: this._path, ...where });
    return this._merge(normalizeRun(r.run));
  }

  async stop(runId: string): Promise<RunState> {
    // Stopping a cluster run asks Argo to stop it (spec.shutdown); the kernel waits a little, then events follow.
    const known = this._runs.get(runId);
    await this.request('stop', known && isClusterRun(known) ? { run_id: runId, wait_ms: 3000 } : { run_id: runId }, 30000);
    const run = await this.status(runId);
    this._emit(run);
    return run;
  }

  async listRuns(path?: string): Promise<RunState[]> {
    if (path) {
      this._path = path;
    }
    const r = await this.request('list_runs', path ? { notebook: path } : {});
    const runs = ((r.runs ?? []) as unknown[]).map(normalizeRun);
    // Newest first (run ids start with the date and time).
    return runs.sort((a, b) => (a.run_id < b.run_id ? 1 : a.run_id > b.run_id ? -1 : 0));
  }

  async logs(runId: string, step: string): Promise<string> {
    const r = await this.request('logs', { run_id: runId, step, notebook: this._path });
    return String(r.logs ?? '');
  }

  async restoreFiles(runId: string, step: string, folder: string, after = true): Promise<RestoredFiles> {
    const r = await this.request('restore', { run_id: runId, step, folder, after, notebook: this._path }, 300000);
    return { folder: String(r.folder ?? folder), files: typeof r.files === 'number' ? r.files : 0, snapshot: r.snapshot };
  }

  dispose(): void {
    for (const [, p] of this._pending) {
      p.reject(new Kale4jClientError('the kale4j channel was closed'));
    }
    this._pending.clear();
    if (this._comm && !this._comm.isDisposed) {
      try {
        this._comm.close();
      } catch {
        // the kernel is gone
      }
    }
    this._comm = null;
    Signal.clearData(this);
  }

  private _kernel: Kernel.IKernelConnection;
  private _timeoutMs: number;
  private _comm: Kernel.IComm | null = null;
  private _pending = new Map<string, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private _events = new Signal<IKale4jClient, RunEvent>(this);
  private _runs = new Map<string, RunState>();
  private _path: string | undefined;
}
