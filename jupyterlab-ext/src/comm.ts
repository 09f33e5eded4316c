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
  restore(runId: string, step: string, folder: string): Promise<{ folder?: string; message?: string }>;
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
  request(action: string, args: Record<string, unknown> = {}): Promise<any> {
    const request_id = `ui-${Date.now().toString(36)}-${++counter}`;
    return new Promise((resolve, reject) => {
      let comm: Kernel.IComm;
      try {
        comm = this._open();
      } catch (e) {
        reject(new Kale4jClientError(`no kale4j channel: ${(e as Error).message}`));
        return;
      }
      const timer = setTimeout(() => {
        if (this._pending.delete(request_id)) {
          reject(new Kale4jClientError(`the kernel did not answer "${action}" in time`));
        }
      }, this._timeoutMs);
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
    try {
      const r = await this.request('compile', { path });
      return { ok: true, pipeline: r.pipeline, steps: r.steps };
    } catch (e) {
      const reply = (e as any).reply ?? {};
      return { ok: false, error: (e as Error).message, cell: typeof reply.cell === 'number' ? reply.cell : undefined };
    }
  }

  async run(path: string, target: string): Promise<RunState> {
    const r = await this.request('run', { path, target });
    return normalizeRun(r.run);
  }

  async status(runId: string): Promise<RunState> {
    const r = await this.request('run_status', { run_id: runId });
    return normalizeRun(r.run);
  }

  async listRuns(path?: string): Promise<RunState[]> {
    const r = await this.request('list_runs', path ? { path } : {});
    return ((r.runs ?? []) as unknown[]).map(normalizeRun);
  }

  async logs(runId: string, step: string): Promise<string> {
    const r = await this.request('logs', { run_id: runId, step });
    return String(r.logs ?? '');
  }

  async restore(runId: string, step: string, folder: string): Promise<{ folder?: string; message?: string }> {
    const r = await this.request('restore', { run_id: runId, step, folder });
    return { folder: r.folder, message: r.message };
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
}
