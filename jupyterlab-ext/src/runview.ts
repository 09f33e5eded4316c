/**
 * The run view: the pipeline's DAG with each step's live status, durations, metrics, logs on click,
 * a link to the cluster UI, Stop while it runs, and for every step Restore: its files into a folder
 * (over the comm) or its variables into the kernel (`%pipeline restore`).
 */
import { Widget } from '@lumino/widgets';
import { el } from './annotator';
import { FINISHED, IKale4jClient, RunEvent, runUiLink, RunState, StepState } from './comm';
import { formatDuration, layout, NODE_H, NODE_W } from './dag';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, String(v));
  }
  return e;
}

export interface RunViewOptions {
  client: IKale4jClient;
  run: RunState;
  /** Runs `%pipeline restore ...` in the notebook's kernel; resolves to the text it printed. */
  restoreVariables?: (runId: string, step: string, after: boolean) => Promise<string>;
}

export class RunView extends Widget {
  constructor(options: RunViewOptions) {
    super();
    this.addClass('kale4j-RunView');
    this.id = `kale4j-run-${options.run.run_id}`;
    this.title.label = `Run ${options.run.pipeline ?? ''} ${options.run.run_id}`.replace(/\s+/g, ' ');
    this.title.closable = true;
    this._client = options.client;
    this._restoreVariables = options.restoreVariables;
    this._run = options.run;
    this._header = el('div', { class: 'kale4j-RunView-header' });
    this._graph = el('div', { class: 'kale4j-RunView-graph', role: 'group', 'aria-label': 'Pipeline steps' });
    this._details = el('div', { class: 'kale4j-RunView-details', 'aria-live': 'polite' });
    this.node.append(this._header, el('div', { class: 'kale4j-RunView-body' }, this._graph, this._details));
    this._client.events.connect(this._onEvent, this);
    this._render();
    this._poll();
  }

  get run(): RunState {
    return this._run;
  }

  /** Replaces the run state (from an event, a poll or a test). */
  setRun(run: RunState): void {
    this._run = { ...this._run, ...run, steps: run.steps ?? this._run.steps };
    this._render();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    clearTimeout(this._timer);
    this._client.events.disconnect(this._onEvent, this);
    super.dispose();
  }

  private _onEvent(_: IKale4jClient, e: RunEvent): void {
    if (e.run && e.run.run_id === this._run.run_id) {
      this.setRun(e.run);
    }
  }

  private _finished(): boolean {
    return FINISHED.has(this._run.status);
  }

  private _poll(): void {
    if (this.isDisposed || this._finished()) {
      return;
    }
    this._timer = setTimeout(async () => {
      try {
        const r = await this._client.status(this._run.run_id);
        if (!this.isDisposed && r) {
          this.setRun(r);
        }
      } catch {
        // the next event or poll brings the state
      }
      this._poll();
    }, 2000);
  }

  private _render(): void {
    const r = this._run;
    this._header.textContent = '';
    this._header.append(
      el('span', { class: 'kale4j-RunView-title' }, r.pipeline ?? 'pipeline'),
      el('span', { class: 'kale4j-muted' }, `run ${r.run_id} \u00b7 ${r.target}`),
      el('span', { class: `kale4j-status kale4j-status-${r.status}`, 'data-run-status': r.status }, r.status)
    );
    const link = runUiLink(r);
    if (link) {
      this._header.append(
        el('a', { href: link.href, target: '_blank', rel: 'noopener', class: 'kale4j-ui-link', 'data-field': 'ui-link' }, link.label)
      );
    }
    if (!this._finished()) {
      const stop = el('button', { type: 'button', class: 'jp-Button jp-mod-warn kale4j-stop', title: 'Stop the run and its running steps' },
        this._stopping ? 'Stopping\u2026' : 'Stop');
      stop.disabled = this._stopping;
      stop.addEventListener('click', () => void this._stop());
      this._header.append(stop);
    }
    if (this._stopError) {
      this._header.append(el('span', { class: 'kale4j-error', role: 'alert' }, this._stopError));
    }
    this._renderGraph();
    this._renderDetails();
  }

  private _renderGraph(): void {
    const steps = this._run.steps ?? [];
    const l = layout(steps.map(s => ({ name: s.name, deps: s.deps ?? [] })));
    const root = svg('svg', { width: l.width, height: l.height, viewBox: `0 0 ${l.width} ${l.height}`, class: 'kale4j-dag' });
    const defs = svg('defs');
    const marker = svg('marker', { id: `${this.id}-arrow`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
    marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'kale4j-dag-arrow' }));
    defs.append(marker);
    root.append(defs);
    for (const e of l.edges) {
      const a = l.nodes.get(e.from)!;
      const b = l.nodes.get(e.to)!;
      const x1 = a.x + NODE_W / 2;
      const y1 = a.y + NODE_H;
      const x2 = b.x + NODE_W / 2;
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      root.append(svg('path', { d: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 2}`, class: 'kale4j-dag-edge', 'marker-end': `url(#${this.id}-arrow)` }));
    }
    for (const s of steps) {
      const p = l.nodes.get(s.name)!;
      const g = svg('g', {
        class: `kale4j-dag-node kale4j-status-${s.status}${this._selected === s.name ? ' kale4j-selected' : ''}`,
        transform: `translate(${p.x},${p.y})`,
        tabindex: 0,
        role: 'button',
        'data-step': s.name,
        'data-status': s.status,
        'aria-label': `${s.name}: ${s.status}`
      });
      g.append(svg('rect', { width: NODE_W, height: NODE_H, rx: 6, ry: 6 }));
      const name = svg('text', { x: 12, y: 22, class: 'kale4j-dag-name' });
      name.textContent = s.name.length > 22 ? s.name.slice(0, 21) + '\u2026' : s.name;
      const status = svg('text', { x: 12, y: 42, class: 'kale4j-dag-status' });
      status.textContent = s.status;
      const dur = svg('text', { x: NODE_W - 10, y: 42, class: 'kale4j-dag-duration', 'text-anchor': 'end' });
      dur.textContent = formatDuration(s.duration_ms);
      g.append(name, status, dur);
      const select = () => {
        this._selected = s.name;
        this._logs = null;
        this._restoreMessage = '';
        this._render();
        void this._loadLogs(s.name);
        (this._graph.querySelector(`[data-step="${s.name}"]`) as SVGGElement | null)?.focus();
      };
      g.addEventListener('click', select);
      g.addEventListener('keydown', ev => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          select();
        }
      });
      root.append(g);
    }
    this._graph.textContent = '';
    this._graph.append(root);
  }

  private async _loadLogs(step: string): Promise<void> {
    try {
      const text = await this._client.logs(this._run.run_id, step);
      if (this._selected === step) {
        this._logs = text;
        this._renderDetails();
      }
    } catch (e) {
      if (this._selected === step) {
        this._logs = `(no logs: ${(e as Error).message})`;
        this._renderDetails();
      }
    }
  }

  private _renderDetails(): void {
    const d = this._details;
    const s: StepState | undefined = (this._run.steps ?? []).find(x => x.name === this._selected);
    const key = JSON.stringify([s, s ? null : this._run.metrics, this._logs, this._restoring, this._restoreMessage]);
    if (d.dataset.key === key) {
      return;
    }
    d.dataset.key = key;
    d.textContent = '';
    if (!s) {
      d.append(el('p', { class: 'kale4j-muted' }, 'Select a step to see its logs, metrics and restore it.'));
      if (this._run.metrics && Object.keys(this._run.metrics).length > 0) {
        d.append(el('h4', {}, 'Pipeline metrics'), this._metricsTable(this._run.metrics));
      }
      return;
    }
    d.append(
      el('h3', {}, s.name),
      el('div', {}, el('span', { class: `kale4j-status kale4j-status-${s.status}` }, s.status), ' ', formatDuration(s.duration_ms))
    );
    if (s.message) {
      d.append(el('pre', { class: 'kale4j-message' }, s.message));
    }
    if (s.metrics && Object.keys(s.metrics).length > 0) {
      d.append(el('h4', {}, 'Metrics'), this._metricsTable(s.metrics));
    }
    const succeeded = s.status === 'Succeeded' || s.status === 'Cached';
    const when = el('select', { class: 'kale4j-restore-when', 'aria-label': 'Restore the step as it was' });
    for (const [v, l] of [['after', 'after the step (its outputs)'], ['before', 'before the step (its inputs)']]) {
      const o = el('option', { value: v }, l);
      o.selected = (this._when ?? (succeeded ? 'after' : 'before')) === v;
      when.append(o);
    }
    when.addEventListener('change', () => (this._when = when.value));
    const folder = el('input', { type: 'text', class: 'kale4j-restore-folder', 'aria-label': 'Restore files into folder' });
    folder.value = this._folder || `restored/${this._run.run_id}/${s.name}`;
    folder.addEventListener('input', () => (this._folder = folder.value));
    const done = FINISHED.has(this._run.status);
    const files = el('button', { type: 'button', class: 'jp-Button jp-mod-accept kale4j-restore-files' }, 'Restore files');
    files.title = 'Restore the step\u2019s workspace files into the folder (next to the notebook)';
    files.disabled = this._restoring || !done || s.status === 'Pending' || s.status === 'Skipped';
    files.addEventListener('click', () => void this._restore('files', s.name, folder.value.trim(), when.value === 'after'));
    const vars = el('button', { type: 'button', class: 'jp-Button kale4j-restore-variables' }, 'Restore variables');
    vars.title = 'Load the step\u2019s marshalled variables into the kernel (%pipeline restore)';
    vars.disabled = this._restoring || !this._restoreVariables || !(succeeded || s.status === 'Failed');
    vars.addEventListener('click', () => void this._restore('variables', s.name, '', when.value === 'after'));
    d.append(
      el('h4', {}, 'Restore'),
      el('div', { class: 'kale4j-row' }, el('label', {}, 'As it was ', when)),
      el('div', { class: 'kale4j-row' }, el('label', {}, 'Files into ', folder), files),
      el('div', { class: 'kale4j-row' }, el('span', {}, 'Variables into the kernel '), vars),
      el('div', { class: 'kale4j-restore-result', role: 'status' }, this._restoreMessage)
    );
    d.append(el('h4', {}, 'Logs'), el('pre', { class: 'kale4j-logs' }, this._logs ?? 'Loading\u2026'));
  }

  private _metricsTable(metrics: Record<string, unknown>): HTMLElement {
    const t = el('table', { class: 'kale4j-metrics' });
    for (const [k, v] of Object.entries(metrics)) {
      const text = typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6)))
        : typeof v === 'object' ? JSON.stringify(v) : String(v);
      t.append(el('tr', {}, el('th', {}, k), el('td', { title: String(v) }, text)));
    }
    return t;
  }

  private async _stop(): Promise<void> {
    this._stopping = true;
    this._stopError = '';
    this._render();
    try {
      this.setRun(await this._client.stop(this._run.run_id));
    } catch (e) {
      this._stopError = `Not stopped: ${(e as Error).message}`;
    }
    this._stopping = false;
    this._render();
  }

  private async _restore(what: 'files' | 'variables', step: string, folder: string, after: boolean): Promise<void> {
    this._restoring = true;
    this._restoreMessage = 'Restoring\u2026';
    this._renderDetails();
    try {
      if (what === 'files') {
        const r = await this._client.restoreFiles(this._run.run_id, step, folder, after);
        this._restoreMessage = `Restored ${r.files} file${r.files === 1 ? '' : 's'} into ${r.folder}.`;
      } else {
        const out = await this._restoreVariables!(this._run.run_id, step, after);
        this._restoreMessage = `Restored. ${out.trim() || 'Variables restored into the kernel.'}`;
      }
    } catch (e) {
      this._restoreMessage = `Not restored: ${(e as Error).message}`;
    }
    this._restoring = false;
    this._renderDetails();
  }

  private _client: IKale4jClient;
  private _restoreVariables?: (runId: string, step: string, after: boolean) => Promise<string>;
  private _run: RunState;
  private _header: HTMLElement;
  private _graph: HTMLElement;
  private _details: HTMLElement;
  private _selected: string | null = null;
  private _logs: string | null = null;
  private _folder = '';
  private _when: string | null = null;
  private _restoring = false;
  private _restoreMessage = '';
  private _stopping = false;
  private _stopError = '';
  private _timer: any;
}
