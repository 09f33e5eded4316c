/**
 * A typed client for the kernel's "kale4j" comm target (docs/comm-protocol.md).
 *
 * Requests are `{action, request_id, ...arguments}`; the kernel answers each with
 * `{action, request_id, ok, error?, ...result}`. Messages without a `request_id` of ours are events
 * (run status updates), delivered through `events`.
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
}

export interface RunState {
  run_id: string;
  pipeline?: string;
  target: string;
  status: string;
  steps: StepState[];
  /** Argo or KFP UI address, for cluster runs. */
  ui_url?: string;
  /** Pipeline metrics, when the run is done. */
  metrics?: Record<string, unknown>;
  started_at?: string;
  finished_at?: string;
}

export interface CompileResult {
  ok: boolean;
  error?: string;
  /** 0-based index of the notebook cell the error is about, when known. */
  cell?: number;
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

export class Kale4jClientError extends Error {}

/** The 0-based cell index in a compiler message ("nb.ipynb: cell 7 (id x): ..."), if any. */
export function cellOfMessage(message: string): number | undefined {
  const m = /(?:^|: )cell (\d+)(?: \(id [^)]*\))?: /.exec(message);
  return m ? parseInt(m[1], 10) : undefined;
}

/** Steps and dependencies from the kernel's graph text ("pipeline P (N steps)", then "  name  <- a, b  [v from a]"). */
export function parseGraphText(text: string): { pipeline?: string; steps: { name: string; deps: string[] }[] } {
  const lines = text.split('\n');
  const head = /^pipeline (\S+)/.exec(lines[0] ?? '');
  const steps: { name: string; deps: string[] }[] = [];
  for (const line of lines.slice(1)) {
    const m = /^\s*([a-z_][a-z0-9_]*)(?:\s+<- ([^[]*?))?(?:\s+\[.*\])?\s*$/.exec(line);
    if (m) {
      steps.push({ name: m[1], deps: m[2] ? m[2].split(',').map(d => d.trim()).filter(d => d) : [] });
    }
  }
  return { pipeline: head?.[1], steps };
}

export type Progress =
  | { kind: 'started'; runId: string; steps: string[] }
  | { kind: 'step'; step: string; status: StepStatus; durationMs?: number; message?: string }
  | { kind: 'finished'; runId: string; status: string; durationMs: number };

/** One `run_progress` line of the kernel's local runner. */
export function parseProgress(line: string): Progress | null {
  let m = /^run (\S+): (.*)$/.exec(line);
  if (m) {
    return { kind: 'started', runId: m[1], steps: m[2].split(',').map(x => x.trim()).filter(x => x) };
  }
  m = /^run (\S+) (\S+) in (\d+) ms$/.exec(line);
  if (m) {
    return { kind: 'finished', runId: m[1], status: statusWord(m[2]), durationMs: parseInt(m[3], 10) };
  }
  m = /^ {2}(\S+)\s+(pending|running|succeeded|failed|skipped|cached)\b ?\s*(?:([\d.]+) s)?(?: {2}(.*))?$/i.exec(line);
  if (m) {
    return {
      kind: 'step',
      step: m[1],
      status: statusWord(m[2]) as StepStatus,
      durationMs: m[3] !== undefined ? Math.round(parseFloat(m[3]) * 1000) : undefined,
      message: m[4]
    };
  }
  return null;
}

const STATUS_WORDS = ['Pending', 'Running', 'Succeeded', 'Failed', 'Skipped', 'Cached', 'Error', 'Omitted', 'Stopped'];

function statusWord(v: unknown): string {
  const w = String(v ?? 'Pending');
  return STATUS_WORDS.find(x => x.toLowerCase() === w.toLowerCase()) ?? w;
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
    deps: Array.isArray(s.deps) ? s.deps : Array.isArray(s.dependencies) ? s.dependencies : Array.isArray(s.prev) ? s.prev : [],
    duration_ms: typeof s.duration_ms === 'number' ? s.duration_ms : typeof s.durationMs === 'number' ? s.durationMs : undefined
  }));
  return {
    ...r,
    run_id: String(r.run_id ?? r.runId ?? ''),
    target: String(r.target ?? 'local'),
    status: statusWord(r.status),
    steps,
    ui_url: r.ui_url ?? r.uiUrl,
    metrics: r.metrics
  };
}

/** The comm client used by the UI. An interface so that the UI can be tested with a fake. */
export interface IKale4jClient {
  readonly events: ISignal<IKale4jClient, RunEvent>;
  ping(): Promise<boolean>;
  targets(): Promise<Targets>;
  compile(path: string): Promise<CompileResult>;
  run(path: string, target: string): Promise<RunState>;
  status(runId: string): Promise<RunState>;
  listRuns(path?: string): Promise<RunState[]>;
  logs(runId: string, step: string): Promise<string>;
  restore(runId: string, step: string, folder: string, after?: boolean): Promise<{ folder?: string; message?: string; variables?: string[] }>;
  /** Dependencies of the steps of the run about to start (from compile), for kernels whose progress lacks them. */
  setPendingGraph?(steps: { name: string; deps: string[] }[], pipeline?: string): void;
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
    const id = data.request_id;
    if (data.action === 'run_progress') {
      this._progress(String(data.line ?? ''));
      return;
    }
    if (id && this._pending.has(id)) {
      const p = this._pending.get(id)!;
      this._pending.delete(id);
      if (data.ok === false) {
        p.reject(Object.assign(new Kale4jClientError(String(data.error ?? 'the kernel refused the request')), { reply: data }));
      } else {
        p.resolve(data);
      }
      return;
    }
    if (data.event) {
      this._events.emit({ ...data, run: data.run ? normalizeRun(data.run) : data.run } as RunEvent);
    }
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

  async compile(path: string): Promise<CompileResult> {
    this._path = path;
    const fail = (e: unknown): CompileResult => {
      const reply = (e as any).reply ?? {};
      const error = (e as Error).message;
      return { ok: false, error, cell: typeof reply.cell === 'number' ? reply.cell : cellOfMessage(error) };
    };
    // The kernel's `graph` compiles the saved notebook without writing files.
    try {
      const r = await this.request('graph', { notebook: path, path });
      const g = parseGraphText(String(r.text ?? ''));
      return { ok: true, pipeline: g.pipeline, steps: g.steps };
    } catch (e) {
      if (!/unknown action/.test((e as Error).message)) {
        return fail(e);
      }
    }
    try {
      const r = await this.request('compile', { path, notebook: path });
      return { ok: true, pipeline: r.pipeline, steps: r.steps };
    } catch (e) {
      return fail(e);
    }
  }

  async run(path: string, target: string): Promise<RunState> {
    this._path = path;
    return new Promise<RunState>((resolve, reject) => {
      let started = false;
      this._onStarted = run => {
        started = true;
        resolve(run);
      };
      this.request('run', { path, notebook: path, target }, 0).then(
        r => {
          this._onStarted = null;
          const run = normalizeRun(r.run ?? r.summary);
          if (!started) {
            resolve(run);
          } else {
            this._current = null;
            this._events.emit({ event: 'run_status', run: this._merge(run) });
          }
        },
        e => {
          this._onStarted = null;
          const reply = (e as any).reply;
          if (started && reply?.summary) {
            // A run that finished with a failed step: the summary says which.
            this._current = null;
            this._events.emit({ event: 'run_status', run: this._merge(normalizeRun(reply.summary)) });
          } else if (!started) {
            reject(e);
          }
        }
      );
    });
  }

  /** Keeps the step order and dependencies the run view already has when a summary arrives. */
  private _merge(run: RunState): RunState {
    const known = this._runs.get(run.run_id);
    if (known) {
      const byName = new Map(run.steps.map(s => [s.name, s]));
      run = {
        ...known,
        ...run,
        steps: known.steps.map(s => ({ ...s, ...(byName.get(s.name) ?? {}), deps: s.deps }))
      };
    }
    this._runs.set(run.run_id, run);
    return run;
  }

  /** Graph of the run being started, to give steps their dependencies (set by the UI after compile). */
  setPendingGraph(steps: { name: string; deps: string[] }[], pipeline?: string): void {
    this._graph = { steps, pipeline };
  }

  private _progress(line: string): void {
    const p = parseProgress(line);
    if (!p) {
      return;
    }
    if (p.kind === 'started') {
      const deps = new Map((this._graph?.steps ?? []).map(s => [s.name, s.deps]));
      const run: RunState = {
        run_id: p.runId,
        pipeline: this._graph?.pipeline,
        target: 'local',
        status: 'Running',
        steps: p.steps.map(name => ({ name, status: 'Pending', deps: deps.get(name) ?? [] }))
      };
      this._runs.set(run.run_id, run);
      this._current = run.run_id;
      this._onStarted?.(run);
      return;
    }
    const id = p.kind === 'finished' ? p.runId : this._current;
    const run = id ? this._runs.get(id) : undefined;
    if (!run) {
      return;
    }
    let next: RunState;
    if (p.kind === 'step') {
      next = {
        ...run,
        steps: run.steps.map(s =>
          s.name === p.step ? { ...s, status: p.status, duration_ms: p.durationMs ?? s.duration_ms, message: p.message ?? s.message } : s
        )
      };
    } else {
      next = { ...run, status: p.status };
    }
    this._runs.set(next.run_id, next);
    this._events.emit({ event: 'run_status', run: next });
  }

  async status(runId: string): Promise<RunState> {
    const known = this._runs.get(runId);
    if (known && this._current === runId) {
      return known; // the kernel is busy with this run and reports it through progress messages
    }
    try {
      const r = await this.request('run_status', { run_id: runId });
      return normalizeRun(r.run);
    } catch (e) {
      if (!/unknown action/.test((e as Error).message)) {
        throw e;
      }
    }
    const found = (await this.listRuns(this._path)).find(r => r.run_id === runId);
    if (!found) {
      throw new Kale4jClientError(`run ${runId} not found`);
    }
    return known ? this._merge(found) : found;
  }

  async listRuns(path?: string): Promise<RunState[]> {
    if (path) {
      this._path = path;
    }
    const r = await this.request('list_runs', path ? { path, notebook: path } : {});
    const runs = ((r.runs ?? []) as unknown[]).map(normalizeRun);
    // Newest first (run ids start with the date and time).
    return runs.sort((a, b) => (a.run_id < b.run_id ? 1 : a.run_id > b.run_id ? -1 : 0));
  }

  async logs(runId: string, step: string): Promise<string> {
    const r = await this.request('logs', { run_id: runId, step });
    return String(r.logs ?? '');
  }

  async restore(
    runId: string,
    step: string,
    folder: string,
    after = true
  ): Promise<{ folder?: string; message?: string; variables?: string[] }> {
    const r = await this.request('restore', { run_id: runId, run: runId, step, folder, after, notebook: this._path }, 300000);
    return { folder: r.folder, message: r.message, variables: Array.isArray(r.variables) ? r.variables : undefined };
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
  private _current: string | null = null;
  private _onStarted: ((run: RunState) => void) | null = null;
  private _graph: { steps: { name: string; deps: string[] }[]; pipeline?: string } | null = null;
  private _path: string | undefined;
}
