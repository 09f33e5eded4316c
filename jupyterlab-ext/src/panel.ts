/**
 * The pipeline panel in the left side bar: settings saved in `metadata.kubeflow_notebook`,
 * Compile & Run, and the status of the last action.
 */
import { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import { el } from './annotator';
import { RunState } from './comm';
import {
  KatibParameter,
  katibTypeOf,
  KATIB_ALGORITHMS,
  parseParameters,
  PipelineSettings,
  pipelineNameProblem,
  readSettings,
  Target,
  targetChoices,
  Volume,
  writeSettings
} from './settings';
import { parseTags } from './tags';

export interface PanelHost {
  /** Compile & Run for the panel's notebook. */
  compileAndRun(panel: NotebookPanel): Promise<void>;
  /** Targets the kernel can run on, with reasons for those it cannot. */
  targets(panel: NotebookPanel): Promise<{ available: string[]; reasons?: Record<string, string> }>;
  /** The notebook's earlier runs, newest first. */
  runs(panel: NotebookPanel): Promise<RunState[]>;
  /** Opens the run view of a run. */
  showRun(panel: NotebookPanel, run: RunState): void;
}

export type StatusKind = 'info' | 'error' | 'success';

export class PipelinePanel extends Widget {
  constructor(host: PanelHost) {
    super();
    this._host = host;
    this.id = 'kale4j-pipeline-panel';
    this.addClass('kale4j-Panel');
    this.title.caption = 'kale4j pipeline';
    this._body = el('div', { class: 'kale4j-Panel-body' });
    this._status = el('div', { class: 'kale4j-Panel-status', role: 'status', 'aria-live': 'polite' });
    this.node.append(el('h2', { class: 'kale4j-Panel-title' }, 'Pipeline'), this._body, this._status);
    this._renderEmpty();
  }

  get notebook(): NotebookPanel | null {
    return this._notebook;
  }

  /** Follows the current notebook. */
  setNotebook(nb: NotebookPanel | null): void {
    if (this._notebook === nb) {
      return;
    }
    this._notebook?.model?.metadataChanged.disconnect(this._onMetadata, this);
    this._notebook = nb;
    nb?.model?.metadataChanged.connect(this._onMetadata, this);
    this._targets = null;
    this.setStatus('', 'info');
    this.render();
    if (nb) {
      void nb.sessionContext.ready.then(() => this._loadTargets(nb));
      nb.sessionContext.kernelChanged.connect(() => this._loadTargets(nb), this);
    }
  }

  setStatus(message: string, kind: StatusKind, action?: { label: string; run: () => void }): void {
    this._status.textContent = '';
    this._status.className = `kale4j-Panel-status kale4j-status-${kind}`;
    this._status.dataset.kind = kind;
    if (message) {
      this._status.append(el('span', {}, message));
    }
    if (action) {
      const b = el('button', { type: 'button', class: 'jp-Button kale4j-link' }, action.label);
      b.addEventListener('click', action.run);
      this._status.append(' ', b);
    }
  }

  private async _loadTargets(nb: NotebookPanel): Promise<void> {
    const t = await this._host.targets(nb).catch(() => ({ available: ['local'] }));
    if (this._notebook === nb) {
      this._targets = t;
      this.render();
    }
  }

  private _onMetadata(_: unknown, change: { key: string }): void {
    if (!this._saving && change.key === 'kubeflow_notebook') {
      this.render();
    }
  }

  private _settings(): PipelineSettings {
    const nb = this._notebook!;
    return readSettings(nb.model?.getMetadata('kubeflow_notebook'), nb.context.path);
  }

  private _save(change: (s: PipelineSettings) => void, rerender = false): void {
    const nb = this._notebook;
    if (!nb?.model) {
      return;
    }
    const s = this._settings();
    change(s);
    this._saving = true;
    try {
      nb.model.setMetadata('kubeflow_notebook', writeSettings(nb.model.getMetadata('kubeflow_notebook'), s));
    } finally {
      this._saving = false;
    }
    if (rerender) {
      this.render();
    }
  }

  private _renderEmpty(): void {
    this._body.textContent = '';
    this._body.append(el('p', { class: 'kale4j-muted' }, 'Open a kale4j notebook to set up its pipeline.'));
  }

  render(): void {
    const nb = this._notebook;
    if (!nb || !nb.model) {
      this._renderEmpty();
      return;
    }
    // Re-rendering must not lose what the user is typing.
    const focused = document.activeElement as HTMLInputElement | null;
    const focusKey = focused && this.node.contains(focused) ? focused.dataset.field : undefined;
    const typing = focusKey && (focused!.tagName === 'INPUT' || focused!.tagName === 'TEXTAREA')
      ? { value: focused!.value, start: focused!.selectionStart, end: focused!.selectionEnd } : null;
    const s = this._settings();
    const b = this._body;
    b.textContent = '';

    const enabled = this._switch('Enable', s.enabled, 'enabled', v => this._save(x => (x.enabled = v), true));
    b.append(el('div', { class: 'kale4j-Panel-notebook kale4j-muted' }, nb.context.path), enabled);

    const fields = el('div', { class: 'kale4j-Panel-fields' });
    fields.hidden = !s.enabled;
    b.append(fields);

    const name = this._text('Pipeline name', s.pipeline_name, 'pipeline_name', v => this._save(x => (x.pipeline_name = v)));
    const nameError = el('div', { class: 'kale4j-field-error' }, pipelineNameProblem(s.pipeline_name) ?? '');
    name.querySelector('input')!.addEventListener('input', ev => {
      nameError.textContent = pipelineNameProblem((ev.target as HTMLInputElement).value) ?? '';
    });
    fields.append(
      name,
      nameError,
      this._text('Experiment', s.experiment_name, 'experiment_name', v => this._save(x => (x.experiment_name = v))),
      this._text('Description', s.pipeline_description, 'pipeline_description', v => this._save(x => (x.pipeline_description = v)), true)
    );

    // Target: Local always; cluster targets when the kernel reports them available.
    const choice = targetChoices(this._targets, s.target);
    const target = el('select', { 'data-field': 'target', class: 'kale4j-target' });
    for (const c of choice.choices) {
      const o = el('option', { value: c.value }, c.label);
      if (c.title) {
        o.title = c.title;
      }
      o.disabled = c.disabled;
      o.selected = choice.value === c.value;
      target.append(o);
    }
    target.value = choice.value;
    target.addEventListener('change', () => this._save(x => (x.target = target.value as Target)));
    fields.append(this._labelled('Target', target));
    if (choice.hint) {
      fields.append(el('div', { class: 'kale4j-hint', 'data-field': 'target-hint' }, choice.hint));
    }

    fields.append(this._text('Image', s.docker_image, 'docker_image', v => this._save(x => (x.docker_image = v))));
    fields.append(this._volumes(s));
    fields.append(this._switch('Snapshot volumes', s.snapshot_volumes, 'snapshot_volumes', v => this._save(x => (x.snapshot_volumes = v))));
    fields.append(this._katib(s));

    const run = el('button', { type: 'button', class: 'jp-Button jp-mod-accept kale4j-compile-run', 'data-field': 'compile-run' }, 'Compile & Run');
    run.addEventListener('click', () => void this._host.compileAndRun(nb));
    fields.append(el('div', { class: 'kale4j-row kale4j-buttons' }, run));

    // Earlier runs, to watch or restore their steps again.
    const runs = el('details', { class: 'kale4j-runs', 'data-field': 'runs' }, el('summary', {}, 'Runs'));
    const list = el('ul', { class: 'kale4j-runs-list' });
    runs.append(list);
    runs.open = this._runsOpen;
    const load = async () => {
      list.textContent = '';
      list.append(el('li', { class: 'kale4j-muted' }, 'Loading\u2026'));
      let items: RunState[] = [];
      let problem = '';
      try {
        items = await this._host.runs(nb);
      } catch (e) {
        problem = (e as Error).message;
      }
      list.textContent = '';
      if (items.length === 0) {
        list.append(el('li', { class: 'kale4j-muted' }, problem ? `No runs listed: ${problem}` : 'No runs yet.'));
      }
      for (const r of items.slice(0, 20)) {
        const open = el('button', { type: 'button', class: 'jp-Button kale4j-link', 'data-run': r.run_id }, r.run_id);
        open.addEventListener('click', () => this._host.showRun(nb, r));
        list.append(el('li', {}, open, ' ', el('span', { class: `kale4j-status kale4j-status-${r.status}` }, r.status), ' ',
          el('span', { class: 'kale4j-muted' }, r.target ?? '')));
      }
    };
    runs.addEventListener('toggle', () => {
      this._runsOpen = runs.open;
      if (runs.open) {
        void load();
      }
    });
    if (runs.open) {
      void load();
    }
    fields.append(runs);

    if (focusKey) {
      const again = this.node.querySelector(`[data-field="${focusKey}"]`) as HTMLInputElement | null;
      if (again) {
        if (typing && again.value !== typing.value) {
          again.value = typing.value;
        }
        again.focus();
        if (typing && typing.start !== null && 'setSelectionRange' in again && again.type !== 'number') {
          try {
            again.setSelectionRange(typing.start, typing.end);
          } catch {
            // not a text input
          }
        }
      }
    }
  }

  private _labelled(label: string, input: HTMLElement): HTMLElement {
    return el('label', { class: 'kale4j-field' }, el('span', { class: 'kale4j-field-label' }, label), input);
  }

  private _text(label: string, value: string, field: string, save: (v: string) => void, multiline = false): HTMLElement {
    const input = multiline
      ? el('textarea', { 'data-field': field, rows: '2' })
      : el('input', { type: 'text', 'data-field': field, spellcheck: 'false' });
    input.value = value;
    input.addEventListener('change', () => save(input.value.trim()));
    return this._labelled(label, input);
  }

  private _switch(label: string, value: boolean, field: string, save: (v: boolean) => void): HTMLElement {
    const box = el('input', { type: 'checkbox', role: 'switch', 'data-field': field });
    box.checked = value;
    box.addEventListener('change', () => save(box.checked));
    return el('label', { class: 'kale4j-switch' }, box, el('span', {}, label));
  }

  private _volumes(s: PipelineSettings): HTMLElement {
    const box = el('fieldset', { class: 'kale4j-volumes' }, el('legend', {}, 'Volumes'));
    s.volumes.forEach((v, i) => {
      const type = el('select', { 'aria-label': 'Volume type', 'data-field': `volume-${i}-type` });
      for (const [t, l] of [['pvc', 'Existing PVC'], ['new_pvc', 'New PVC']]) {
        const o = el('option', { value: t }, l);
        o.selected = v.type === t;
        type.append(o);
      }
      const name = el('input', { type: 'text', 'aria-label': 'Volume name', placeholder: 'name', 'data-field': `volume-${i}-name` });
      name.value = v.name ?? '';
      const mount = el('input', { type: 'text', 'aria-label': 'Mount point', placeholder: '/data', 'data-field': `volume-${i}-mount` });
      mount.value = v.mount_point ?? '';
      const size = el('input', { type: 'number', min: '1', 'aria-label': 'Size (Gi)', placeholder: 'Gi', 'data-field': `volume-${i}-size` });
      size.value = v.size ? String(v.size) : '';
      const remove = el('button', { type: 'button', class: 'jp-Button', 'aria-label': `Remove volume ${i + 1}`, title: 'Remove' }, '\u2715');
      const update = () =>
        this._save(x => {
          const nv: Volume = { ...x.volumes[i], type: type.value as Volume['type'], name: name.value.trim(), mount_point: mount.value.trim() };
          if (size.value) {
            nv.size = Number(size.value);
            nv.size_type = 'Gi';
          }
          x.volumes[i] = nv;
        });
      for (const inp of [type, name, mount, size]) {
        inp.addEventListener('change', update);
      }
      remove.addEventListener('click', () => this._save(x => x.volumes.splice(i, 1), true));
      box.append(el('div', { class: 'kale4j-volume' }, type, name, mount, size, remove));
    });
    const add = el('button', { type: 'button', class: 'jp-Button', 'data-field': 'add-volume' }, '+ Add volume');
    add.addEventListener('click', () =>
      this._save(x => x.volumes.push({ type: 'pvc', name: '', mount_point: '', annotations: [], snapshot: false, snapshot_name: '' }), true)
    );
    box.append(add);
    return box;
  }

  /** Pipeline parameters and metric names from the notebook's tagged cells. */
  private _notebookNames(): { params: { name: string; type: string }[]; metrics: string[] } {
    const params: { name: string; type: string }[] = [];
    const metrics: string[] = [];
    const cells = this._notebook?.model?.cells;
    for (let i = 0; cells && i < cells.length; i++) {
      const c = cells.get(i);
      if (c.type !== 'code') {
        continue;
      }
      const tags = c.getMetadata('tags');
      const role = parseTags(Array.isArray(tags) ? tags : []).role;
      const src = c.sharedModel.getSource();
      if (role === 'pipeline-parameters') {
        params.push(...parseParameters(src));
      } else if (role === 'pipeline-metrics') {
        for (const line of src.split('\n')) {
          const m = /^\s*(?:System\.out\.println\()?\s*([A-Za-z_][\w]*)\s*\)?;?\s*$/.exec(line);
          if (m) {
            metrics.push(m[1]);
          }
        }
      }
    }
    return { params, metrics };
  }

  private _katib(s: PipelineSettings): HTMLElement {
    const box = el('fieldset', { class: 'kale4j-katib' }, el('legend', {}, 'Katib (hyperparameter tuning)'));
    box.append(this._switch('Run with Katib', s.katib_run, 'katib_run', v => this._save(x => (x.katib_run = v), true)));
    if (!s.katib_run) {
      return box;
    }
    const k = s.katib_metadata;
    const names = this._notebookNames();
    if (names.params.length === 0) {
      box.append(el('div', { class: 'kale4j-hint' }, 'Tag a cell pipeline-parameters to tune its parameters.'));
    }
    for (const p of names.params) {
      const existing = k.parameters.find(x => x.name === p.name);
      const javaType = katibTypeOf(p.type);
      // Numbers take a range or a list of values; strings and booleans a list. Types come from the
      // parameters cell, so parameterType is not written (the compiler derives it).
      const useList = javaType === 'categorical' || (existing?.feasibleSpace.list?.length ?? 0) > 0 || this._listMode.has(p.name);
      const row = el('div', { class: 'kale4j-katib-param' }, el('span', { class: 'kale4j-katib-name' }, `${p.name} (${p.type})`));
      const set = (f: (fs: KatibParameter['feasibleSpace']) => void) =>
        this._save(x => {
          const ps = x.katib_metadata.parameters;
          let q = ps.find(y => y.name === p.name);
          if (!q) {
            q = { name: p.name, feasibleSpace: {} } as KatibParameter;
            ps.push(q);
          }
          f(q.feasibleSpace);
          for (const key of Object.keys(q.feasibleSpace) as (keyof KatibParameter['feasibleSpace'])[]) {
            const v = q.feasibleSpace[key];
            if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) {
              delete q.feasibleSpace[key];
            }
          }
          if (Object.keys(q.feasibleSpace).length === 0) {
            ps.splice(ps.indexOf(q), 1); // not searched
          }
        });
      if (javaType !== 'categorical') {
        const mode = el('select', { 'aria-label': `${p.name} search`, 'data-field': `katib-${p.name}-mode` });
        for (const [v, l] of [['range', 'range'], ['list', 'values']]) {
          const o = el('option', { value: v }, l);
          o.selected = (useList ? 'list' : 'range') === v;
          mode.append(o);
        }
        mode.addEventListener('change', () => {
          if (mode.value === 'list') {
            this._listMode.add(p.name);
          } else {
            this._listMode.delete(p.name);
          }
          set(fs => {
            delete fs.min;
            delete fs.max;
            delete fs.step;
            delete fs.list;
          });
          this.render();
        });
        row.append(mode);
      }
      if (useList) {
        const list = el('input', { type: 'text', placeholder: 'a, b, c', 'aria-label': `${p.name} values`, 'data-field': `katib-${p.name}-list` });
        list.value = (existing?.feasibleSpace.list ?? []).join(', ');
        list.addEventListener('change', () => set(fs => (fs.list = list.value.split(',').map(v => v.trim()).filter(v => v))));
        row.append(list);
      } else {
        for (const part of ['min', 'max', 'step'] as const) {
          const inp = el('input', { type: 'number', placeholder: part, 'aria-label': `${p.name} ${part}`, 'data-field': `katib-${p.name}-${part}` });
          inp.value = existing?.feasibleSpace[part] ?? '';
          if (javaType === 'double') {
            inp.setAttribute('step', 'any');
          }
          inp.addEventListener('change', () => set(fs => (fs[part] = inp.value)));
          row.append(inp);
        }
      }
      box.append(row);
    }
    const objective = el('select', { 'data-field': 'katib-objective-type', 'aria-label': 'Objective' });
    for (const t of ['minimize', 'maximize']) {
      const o = el('option', { value: t }, t);
      o.selected = k.objective.type === t;
      objective.append(o);
    }
    objective.addEventListener('change', () => this._save(x => (x.katib_metadata.objective.type = objective.value as any)));
    const metric = el('select', { 'data-field': 'katib-metric', 'aria-label': 'Objective metric' });
    const metricNames = [...new Set([...names.metrics, ...(k.objective.objectiveMetricName ? [k.objective.objectiveMetricName] : [])])];
    metric.append(el('option', { value: '' }, '(choose a metric)'));
    for (const m of metricNames) {
      const o = el('option', { value: m }, m);
      o.selected = k.objective.objectiveMetricName === m;
      metric.append(o);
    }
    metric.addEventListener('change', () => this._save(x => (x.katib_metadata.objective.objectiveMetricName = metric.value)));
    const algorithm = el('select', { 'data-field': 'katib-algorithm', 'aria-label': 'Algorithm' });
    for (const a of KATIB_ALGORITHMS) {
      const o = el('option', { value: a }, a);
      o.selected = k.algorithm.algorithmName === a;
      algorithm.append(o);
    }
    algorithm.addEventListener('change', () => this._save(x => (x.katib_metadata.algorithm.algorithmName = algorithm.value)));
    const count = (label: string, field: 'maxTrialCount' | 'parallelTrialCount' | 'maxFailedTrialCount') => {
      const inp = el('input', { type: 'number', min: '0', 'data-field': `katib-${field}` });
      inp.value = String(k[field]);
      inp.addEventListener('change', () => this._save(x => (x.katib_metadata[field] = Math.max(0, Math.floor(Number(inp.value) || 0)))));
      return this._labelled(label, inp);
    };
    box.append(
      this._labelled('Objective', objective),
      this._labelled('Objective metric', metric),
      this._labelled('Algorithm', algorithm),
      count('Max trials', 'maxTrialCount'),
      count('Parallel trials', 'parallelTrialCount'),
      count('Max failed trials', 'maxFailedTrialCount')
    );
    return box;
  }

  private _host: PanelHost;
  private _notebook: NotebookPanel | null = null;
  private _body: HTMLElement;
  private _status: HTMLElement;
  private _saving = false;
  private _runsOpen = false;
  private _listMode = new Set<string>();
  private _targets: { available: string[]; reasons?: Record<string, string> } | null = null;
}
