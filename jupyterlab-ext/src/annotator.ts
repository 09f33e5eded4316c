/**
 * Cell annotations: a compact header on every code cell (role, step, dependencies, GPU) with an
 * inline editor that writes the standard tags, step colours on the left border, and upkeep of
 * `prev:` references when steps are renamed or deleted.
 */
import { Cell, ICellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { PanelLayout, Widget } from '@lumino/widgets';
import {
  analyse,
  CellEdit,
  GpuVendor,
  NotebookAnalysis,
  removeReferencesInTags,
  renameInTags,
  Role,
  ROLE_LABELS,
  stepColours,
  stepNameProblem,
  uniqueStepName,
  writeTags
} from './tags';

const ROLE_ORDER: Role[] = ['step', 'continuation', 'imports', 'functions', 'pipeline-parameters', 'pipeline-metrics', 'skip'];

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') {
      e.className = v;
    } else {
      e.setAttribute(k, v);
    }
  }
  for (const c of children) {
    e.append(c);
  }
  return e;
}

export { el };

function tagsOf(model: ICellModel): string[] {
  const t = model.getMetadata('tags');
  return Array.isArray(t) ? t.filter(x => typeof x === 'string') : [];
}

function setTags(model: ICellModel, tags: string[]): void {
  const old = tagsOf(model);
  if (old.length === tags.length && old.every((t, i) => t === tags[i])) {
    return;
  }
  if (tags.length === 0) {
    model.deleteMetadata('tags');
  } else {
    model.setMetadata('tags', tags);
  }
}

/** The header widget shown above a code cell's input. */
class CellHeaderWidget extends Widget {
  constructor() {
    super();
    this.addClass('kale4j-CellHeader');
  }
}

export class NotebookAnnotator implements IDisposable {
  constructor(panel: NotebookPanel, isEnabled: () => boolean) {
    this._panel = panel;
    this._isEnabled = isEnabled;
    const model = panel.content.model;
    model?.cells.changed.connect(this._schedule, this);
    panel.content.modelContentChanged.connect(this._schedule, this);
    model?.metadataChanged.connect(this._schedule, this);
    this._schedule();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    for (const h of this._headers.values()) {
      h.dispose();
    }
    this._headers.clear();
  }

  /** The notebook's steps and problems as they are now. */
  analysis(): NotebookAnalysis {
    const cells = this._panel.content.model?.cells;
    const infos = [];
    for (let i = 0; cells && i < cells.length; i++) {
      const c = cells.get(i);
      infos.push({ type: c.type, tags: tagsOf(c), source: c.sharedModel.getSource() });
    }
    return analyse(infos);
  }

  /** Scrolls to a cell, selects it and marks it with `message` until the next change. */
  async highlight(index: number, message: string): Promise<void> {
    const nb = this._panel.content;
    if (index < 0 || index >= nb.widgets.length) {
      return;
    }
    this._highlight = { id: nb.widgets[index].model.id, message };
    nb.activeCellIndex = index;
    await nb.scrollToItem(index, 'center').catch(() => undefined);
    this._render();
  }

  clearHighlight(): void {
    if (this._highlight) {
      this._highlight = null;
      this._render();
    }
  }

  refresh(): void {
    this._schedule();
  }

  private _schedule(): void {
    if (this._disposed || this._scheduled) {
      return;
    }
    this._scheduled = true;
    setTimeout(() => {
      this._scheduled = false;
      if (!this._disposed) {
        this._reconcile();
        this._render();
      }
    }, 0);
  }

  /** Keeps `prev:` references in step with renamed and deleted steps. */
  private _reconcile(): void {
    const model = this._panel.content.model;
    if (!model || this._writing) {
      return;
    }
    const a = this.analysis();
    const now = new Map<string, string>();
    for (const [name, s] of a.steps) {
      now.set(name, model.cells.get(s.cells[0]).id);
    }
    const before = this._known;
    this._known = now;
    if (before === null || model.cells.length === 0) {
      return;
    }
    const byCell = new Map<string, string>();
    for (const [name, id] of now) {
      byCell.set(id, name);
    }
    const fixes: ((tags: string[]) => string[])[] = [];
    for (const [name, id] of before) {
      if (now.has(name)) {
        continue;
      }
      const renamedTo = byCell.get(id);
      if (renamedTo !== undefined && !before.has(renamedTo)) {
        fixes.push(t => renameInTags(t, name, renamedTo));
      } else {
        fixes.push(t => removeReferencesInTags(t, name));
      }
    }
    if (fixes.length > 0) {
      this._writeAll(tags => fixes.reduce((t, f) => f(t), tags));
    }
  }

  private _writeAll(fix: (tags: string[]) => string[]): void {
    const cells = this._panel.content.model!.cells;
    this._writing = true;
    try {
      for (let i = 0; i < cells.length; i++) {
        const c = cells.get(i);
        if (c.type === 'code') {
          setTags(c, fix(tagsOf(c)));
        }
      }
    } finally {
      this._writing = false;
    }
  }

  private _render(): void {
    const nb = this._panel.content;
    const enabled = this._isEnabled();
    nb.node.classList.toggle('kale4j-enabled', enabled);
    const a = this.analysis();
    const colours = stepColours(a.steps.keys());
    const seen = new Set<Cell>();
    nb.widgets.forEach((cell, index) => {
      seen.add(cell);
      const info = a.cells[index];
      let header = this._headers.get(cell);
      if (!enabled || cell.model.type !== 'code' || !info) {
        if (header) {
          header.dispose();
          this._headers.delete(cell);
        }
        cell.node.classList.remove('kale4j-step-cell', 'kale4j-highlight');
        cell.node.style.removeProperty('--kale4j-step-colour');
        return;
      }
      if (!header || header.isDisposed) {
        header = new CellHeaderWidget();
        (cell.layout as PanelLayout).insertWidget(0, header);
        this._headers.set(cell, header);
      }
      const colour = info.stepOf ? colours.get(info.stepOf) : undefined;
      cell.node.classList.toggle('kale4j-step-cell', !!colour);
      if (colour) {
        cell.node.style.setProperty('--kale4j-step-colour', colour);
      } else {
        cell.node.style.removeProperty('--kale4j-step-colour');
      }
      const problems = a.problems.filter(p => p.cell === index).map(p => p.message);
      const hl = this._highlight && this._highlight.id === cell.model.id ? this._highlight.message : null;
      cell.node.classList.toggle('kale4j-highlight', hl !== null);
      if (hl !== null && !problems.includes(hl)) {
        problems.unshift(hl);
      }
      this._renderHeader(header, cell, index, a, colour, problems);
    });
    for (const [cell, h] of [...this._headers]) {
      if (!seen.has(cell)) {
        h.dispose();
        this._headers.delete(cell);
      }
    }
  }

  private _renderHeader(
    header: Widget,
    cell: Cell,
    index: number,
    a: NotebookAnalysis,
    colour: string | undefined,
    problems: string[]
  ): void {
    const info = a.cells[index]!;
    const node = header.node;
    const editing = this._editing === cell.model.id;
    const key = JSON.stringify([info.role, info.step, info.stepOf, info.prev, info.settings.gpu, info.first, colour, problems, editing,
      editing ? [...a.steps.keys()] : null]);
    if (node.dataset.key === key) {
      return;
    }
    node.dataset.key = key;
    node.textContent = '';
    const bar = el('div', { class: 'kale4j-CellHeader-bar' });
    const role = el('span', { class: `kale4j-role kale4j-role-${info.role}` }, info.role === 'continuation' ? 'Step' : ROLE_LABELS[info.role]);
    bar.append(role);
    if (info.role === 'step' || (info.role === 'continuation' && info.stepOf)) {
      const name = el('span', { class: 'kale4j-step-name' }, info.stepOf ?? info.step ?? '');
      if (colour) {
        name.style.setProperty('--kale4j-step-colour', colour);
      }
      bar.append(name);
      if (info.role === 'continuation') {
        bar.append(el('span', { class: 'kale4j-muted' }, '(continued)'));
      }
    } else if (info.role === 'continuation') {
      bar.append(el('span', { class: 'kale4j-muted' }, 'no step'));
    }
    const step = info.stepOf ? a.steps.get(info.stepOf) : undefined;
    if (step && info.first && step.prev.length > 0) {
      bar.append(el('span', { class: 'kale4j-deps', title: 'depends on' }, '\u2190 ' + step.prev.join(', ')));
    }
    if (info.settings.gpu) {
      bar.append(el('span', { class: 'kale4j-gpu' }, `GPU ${info.settings.gpu.count}\u00d7${info.settings.gpu.vendor}`));
    }
    if (info.settings.image) {
      bar.append(el('span', { class: 'kale4j-muted', title: 'image' }, info.settings.image));
    }
    if (info.settings.cache === false) {
      bar.append(el('span', { class: 'kale4j-muted' }, 'no cache'));
    }
    bar.append(el('span', { class: 'kale4j-spacer' }));
    const edit = el('button', {
      class: 'kale4j-edit jp-Button',
      type: 'button',
      title: 'Edit this cell\u2019s pipeline role',
      'aria-label': `Edit pipeline annotation of cell ${index + 1}`,
      'aria-expanded': String(editing)
    }, editing ? 'Close' : 'Edit');
    // Keys on the button are for the button, not JupyterLab's notebook shortcuts (Enter = edit mode).
    edit.addEventListener('keydown', ev => ev.stopPropagation());
    edit.addEventListener('click', ev => {
      ev.stopPropagation();
      this._editing = editing ? null : cell.model.id;
      this._render();
    });
    bar.append(edit);
    node.append(bar);
    for (const p of problems) {
      node.append(el('div', { class: 'kale4j-problem', role: 'alert' }, '\u26a0 ' + p));
    }
    if (editing) {
      node.append(this._editor(cell, index, a));
    }
  }

  private _editor(cell: Cell, index: number, a: NotebookAnalysis): HTMLElement {
    const info = a.cells[index]!;
    const currentStep = info.role === 'step' ? info.step : undefined;
    const form = el('form', { class: 'kale4j-Editor', 'aria-label': 'Pipeline annotation' });
    form.addEventListener('keydown', ev => ev.stopPropagation());
    form.addEventListener('mousedown', ev => ev.stopPropagation());

    const roleSel = el('select', { class: 'kale4j-role-select', 'aria-label': 'Role' });
    for (const r of ROLE_ORDER) {
      const o = el('option', { value: r }, ROLE_LABELS[r]);
      if (r === info.role) {
        o.selected = true;
      }
      roleSel.append(o);
    }
    // Steps downstream of this one are not offered: depending on them would make a cycle.
    const own = currentStep;
    const downstream = new Set<string>();
    if (own) {
      let grew = true;
      while (grew) {
        grew = false;
        for (const s of a.steps.values()) {
          if (!downstream.has(s.name) && s.name !== own && s.prev.some(p => p === own || downstream.has(p))) {
            downstream.add(s.name);
            grew = true;
          }
        }
      }
    }
    const otherSteps = [...a.steps.keys()].filter(s => s !== currentStep && !downstream.has(s));
    const nameInput = el('input', {
      class: 'kale4j-step-input',
      type: 'text',
      'aria-label': 'Step name',
      spellcheck: 'false',
      placeholder: 'step_name'
    });
    nameInput.value = currentStep ?? uniqueStepName(`step_${index + 1}`, a.steps.keys());
    const nameError = el('div', { class: 'kale4j-field-error', role: 'status' });

    const deps = el('fieldset', { class: 'kale4j-deps-select' }, el('legend', {}, 'Depends on'));
    const ownPrev = info.stepOf ? a.steps.get(info.stepOf)?.prev ?? [] : info.prev;
    const depBoxes: HTMLInputElement[] = [];
    for (const s of otherSteps) {
      const box = el('input', { type: 'checkbox', value: s });
      box.checked = info.prev.includes(s) || (info.first && ownPrev.includes(s));
      depBoxes.push(box);
      deps.append(el('label', { class: 'kale4j-dep' }, box, ' ' + s));
    }
    if (otherSteps.length === 0) {
      deps.append(el('span', { class: 'kale4j-muted' }, 'no other steps'));
    }

    const gpuCount = el('input', { type: 'number', min: '0', max: '999', 'aria-label': 'GPU count', class: 'kale4j-gpu-count' });
    gpuCount.value = String(info.settings.gpu?.count ?? 0);
    const gpuVendor = el('select', { 'aria-label': 'GPU vendor', class: 'kale4j-gpu-vendor' });
    for (const v of ['nvidia', 'amd']) {
      const o = el('option', { value: v }, v);
      o.selected = (info.settings.gpu?.vendor ?? 'nvidia') === v;
      gpuVendor.append(o);
    }
    const image = el('input', { type: 'text', 'aria-label': 'Image', placeholder: 'notebook default', class: 'kale4j-image' });
    image.value = info.settings.image ?? '';
    const cache = el('select', { 'aria-label': 'Cache', class: 'kale4j-cache' });
    for (const [v, label] of [['', 'default'], ['enabled', 'enabled'], ['disabled', 'disabled']]) {
      const o = el('option', { value: v }, label);
      o.selected = (info.settings.cache === undefined ? '' : info.settings.cache ? 'enabled' : 'disabled') === v;
      cache.append(o);
    }

    const stepRow = el('div', { class: 'kale4j-row' }, el('label', {}, 'Step name ', nameInput), nameError);
    const settingsRow = el(
      'div',
      { class: 'kale4j-row' },
      el('label', {}, 'GPUs ', gpuCount),
      el('label', {}, 'Vendor ', gpuVendor),
      el('label', {}, 'Image ', image),
      el('label', {}, 'Cache ', cache)
    );
    const apply = el('button', { type: 'submit', class: 'jp-Button jp-mod-accept kale4j-apply' }, 'Apply');
    const cancel = el('button', { type: 'button', class: 'jp-Button kale4j-cancel' }, 'Cancel');

    const validate = (): string | null => {
      const role = roleSel.value as Role;
      let problem: string | null = null;
      if (role === 'step') {
        const name = nameInput.value.trim();
        problem = stepNameProblem(name);
        if (problem === null && name !== currentStep && a.steps.has(name)) {
          problem = `a step named "${name}" already exists`;
        }
      }
      const g = Number(gpuCount.value || '0');
      if (problem === null && (!Number.isInteger(g) || g < 0 || g > 999)) {
        problem = 'GPU count must be a whole number from 0 to 999';
      }
      if (problem === null && /\s/.test(image.value.trim())) {
        problem = 'an image reference has no spaces';
      }
      nameError.textContent = problem ?? '';
      apply.disabled = problem !== null;
      const stepLike = role === 'step' || role === 'continuation';
      stepRow.hidden = role !== 'step';
      deps.hidden = !stepLike;
      settingsRow.hidden = !stepLike;
      return problem;
    };
    for (const i of [roleSel, nameInput, gpuCount, gpuVendor, image, cache]) {
      i.addEventListener('input', validate);
      i.addEventListener('change', validate);
    }
    form.addEventListener('keydown', ev => {
      if ((ev as KeyboardEvent).key === 'Escape') {
        ev.preventDefault();
        this._closeEditor(cell);
      }
    });
    cancel.addEventListener('click', () => this._closeEditor(cell));
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      if (validate() !== null) {
        return;
      }
      const role = roleSel.value as Role;
      const g = Number(gpuCount.value || '0');
      const e: CellEdit = {
        role,
        step: role === 'step' ? nameInput.value.trim() : undefined,
        prev: depBoxes.filter(b => b.checked).map(b => b.value),
        gpu: g > 0 ? { count: g, vendor: gpuVendor.value as GpuVendor } : null,
        image: image.value.trim() || null,
        cache: cache.value === '' ? null : cache.value === 'enabled'
      };
      this.applyEdit(index, e);
      this._closeEditor(cell);
    });
    form.append(
      el('div', { class: 'kale4j-row' }, el('label', {}, 'Role ', roleSel)),
      stepRow,
      deps,
      settingsRow,
      el('div', { class: 'kale4j-row kale4j-buttons' }, apply, cancel)
    );
    validate();
    requestAnimationFrame(() => roleSel.focus());
    return form;
  }

  private _closeEditor(cell: Cell): void {
    this._editing = null;
    this._render();
    requestAnimationFrame(() => (this._headers.get(cell)?.node.querySelector('.kale4j-edit') as HTMLElement | null)?.focus());
  }

  /** Applies an editor change to cell `index`: renames the step everywhere if its name changed. */
  applyEdit(index: number, e: CellEdit): void {
    const model = this._panel.content.model!;
    const a = this.analysis();
    const info = a.cells[index];
    if (!info) {
      return;
    }
    const oldStep = info.role === 'step' ? info.step : undefined;
    this._writing = true;
    try {
      if (oldStep && e.role === 'step' && e.step && e.step !== oldStep) {
        this._writeAll(t => renameInTags(t, oldStep, e.step!));
      }
      this._writing = true;
      const cell = model.cells.get(index);
      setTags(cell, writeTags(tagsOf(cell), e));
    } finally {
      this._writing = false;
    }
    // Steps that no longer exist lose their references.
    const after = this.analysis();
    const gone = [...a.steps.keys()].filter(s => !after.steps.has(s) && s !== oldStep);
    if (oldStep && !after.steps.has(oldStep) && !(e.role === 'step' && e.step && e.step !== oldStep)) {
      gone.push(oldStep);
    }
    if (gone.length > 0) {
      this._writeAll(t => gone.reduce((x, s) => removeReferencesInTags(x, s), t));
    }
    this._highlight = null;
    const now = new Map<string, string>();
    for (const [name, s] of this.analysis().steps) {
      now.set(name, model.cells.get(s.cells[0]).id);
    }
    this._known = now;
    this._schedule();
  }

  private _panel: NotebookPanel;
  private _isEnabled: () => boolean;
  private _headers = new Map<Cell, Widget>();
  private _scheduled = false;
  private _disposed = false;
  private _writing = false;
  private _editing: string | null = null;
  private _known: Map<string, string> | null = null;
  private _highlight: { id: string; message: string } | null = null;
}
