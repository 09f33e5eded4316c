import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, ToolbarButton } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { KernelMessage } from '@jupyterlab/services';
import { LabIcon } from '@jupyterlab/ui-components';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { NotebookAnnotator } from './annotator';
import { IKale4jClient, Kale4jClient, RunState } from './comm';
import { PipelinePanel } from './panel';
import { readSettings } from './settings';
import { RunView } from './runview';

const ICON = new LabIcon({
  name: 'kale4j:pipeline',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161"><circle cx="6" cy="5" r="3"/><circle cx="18" cy="12" r="3"/><circle cx="6" cy="19" r="3"/>' +
    '<path d="M8.5 6.2l7 4.3-.9 1.5-7-4.3zM7.6 17.3l7-4.3.9 1.5-7 4.3z"/></g></svg>'
});

const COMMAND = 'kale4j:compile-and-run';

/** Whether a notebook belongs to kale4j: its kernel is kale4j, or it has kale4j/Kale settings. */
export function isKale4jNotebook(panel: NotebookPanel): boolean {
  const spec = panel.model?.getMetadata('kernelspec') as any;
  const kernelName = panel.sessionContext.session?.kernel?.name;
  return spec?.name === 'kale4j' || kernelName === 'kale4j' || panel.model?.getMetadata('kubeflow_notebook') !== undefined;
}

class Controller {
  constructor(app: JupyterFrontEnd, tracker: INotebookTracker) {
    this._app = app;
    this._tracker = tracker;
    this.panel = new PipelinePanel({
      compileAndRun: nb => this.compileAndRun(nb),
      targets: async nb => {
        const c = await this.client(nb);
        return c ? c.targets() : { available: ['local'] };
      },
      runs: async nb => {
        const c = await this.client(nb);
        return c ? c.listRuns(nb.context.path) : [];
      },
      showRun: (nb, run) => {
        void this.client(nb).then(c => c && this.showRun(nb, c, run));
      }
    });
  }

  readonly panel: PipelinePanel;

  track(nb: NotebookPanel): void {
    const enabled = () =>
      isKale4jNotebook(nb) && readSettings(nb.model?.getMetadata('kubeflow_notebook'), nb.context.path).enabled;
    const annotator = new NotebookAnnotator(nb, enabled);
    this._annotators.set(nb, annotator);
    nb.sessionContext.kernelChanged.connect(() => {
      this._clients.get(nb)?.dispose();
      this._clients.delete(nb);
      annotator.refresh();
    });
    nb.disposed.connect(() => {
      annotator.dispose();
      this._clients.get(nb)?.dispose();
      this._clients.delete(nb);
      this._annotators.delete(nb);
    });
  }

  annotator(nb: NotebookPanel): NotebookAnnotator | undefined {
    return this._annotators.get(nb);
  }

  /** The comm client for a notebook's kernel, or null when there is no kernel. */
  async client(nb: NotebookPanel): Promise<IKale4jClient | null> {
    await nb.sessionContext.ready;
    const kernel = nb.sessionContext.session?.kernel;
    if (!kernel) {
      return null;
    }
    let c = this._clients.get(nb);
    if (!c) {
      c = new Kale4jClient(kernel);
      this._clients.set(nb, c);
    }
    return c;
  }

  private _status(nb: NotebookPanel, message: string, kind: 'info' | 'error' | 'success', action?: { label: string; run: () => void }) {
    if (this.panel.notebook === nb) {
      this.panel.setStatus(message, kind, action);
    }
  }

  async compileAndRun(nb: NotebookPanel): Promise<void> {
    if (this._busy.has(nb)) {
      return;
    }
    this._busy.add(nb);
    try {
      await this._compileAndRun(nb);
    } finally {
      this._busy.delete(nb);
    }
  }

  private async _compileAndRun(nb: NotebookPanel): Promise<void> {
    this._app.shell.activateById(this.panel.id);
    this.panel.setNotebook(nb);
    const annotator = this._annotators.get(nb)!;
    annotator.clearHighlight();
    const settings = readSettings(nb.model?.getMetadata('kubeflow_notebook'), nb.context.path);
    if (!settings.enabled) {
      this._status(nb, 'The pipeline is switched off for this notebook: turn on "Enable" first.', 'info');
      return;
    }
    this._status(nb, 'Saving\u2026', 'info');
    await nb.context.save();
    this._status(nb, 'Validating\u2026', 'info');
    const problems = annotator.analysis().problems;
    if (problems.length > 0) {
      const p = problems[0];
      const where = p.cell >= 0 ? `Cell ${p.cell + 1}: ` : '';
      this._status(nb, `${where}${p.message}`, 'error', p.cell >= 0 ? { label: 'Show cell', run: () => void annotator.highlight(p.cell, p.message) } : undefined);
      if (p.cell >= 0) {
        await annotator.highlight(p.cell, p.message);
      }
      return;
    }
    const client = await this.client(nb);
    if (!client) {
      this._status(nb, 'Start the kale4j kernel to compile and run the pipeline.', 'info');
      return;
    }
    this._status(nb, 'Compiling\u2026', 'info');
    const path = nb.context.path;
    const compiled = await client.compile(path);
    if (!compiled.ok) {
      const cell = compiled.cell;
      this._status(nb, compiled.error ?? 'The pipeline did not compile.', 'error',
        cell !== undefined ? { label: 'Show cell', run: () => void annotator.highlight(cell, compiled.error ?? '') } : undefined);
      if (cell !== undefined) {
        await annotator.highlight(cell, compiled.error ?? '');
      }
      return;
    }
    this._status(nb, 'Starting the run\u2026', 'info');
    let run: RunState;
    try {
      run = await client.run(path, settings.target);
      if (run.steps.length === 0 && compiled.steps) {
        // Until the first status arrives, draw the compiled graph.
        run = { ...run, steps: compiled.steps.map(st => ({ name: st.name, deps: st.deps ?? [], status: 'Pending' as const })) };
      }
    } catch (e) {
      this._status(nb, `The run did not start: ${(e as Error).message}`, 'error');
      return;
    }
    this._status(nb, `Run ${run.run_id} started (${settings.target}).`, 'success', { label: 'Show run', run: () => this.showRun(nb, client, run) });
    this.showRun(nb, client, run);
  }

  showRun(nb: NotebookPanel, client: IKale4jClient, run: RunState): void {
    const existing = this._runViews.get(run.run_id);
    if (existing && !existing.isDisposed) {
      this._app.shell.activateById(existing.id);
      return;
    }
    const content = new RunView({
      client,
      run,
      restoreVariables: (runId, step, after) => this._execute(nb, `%pipeline restore ${runId} ${step}${after ? ' --after' : ''}`)
    });
    const w = new MainAreaWidget({ content });
    w.id = content.id;
    w.title.label = content.title.label;
    w.title.icon = ICON;
    w.title.closable = true;
    this._runViews.set(run.run_id, w);
    this._app.shell.add(w, 'main', { mode: 'split-right', ref: nb.id });
    this._app.shell.activateById(w.id);
  }

  /** Runs code in the notebook's kernel without a cell and returns its text output. */
  private async _execute(nb: NotebookPanel, code: string): Promise<string> {
    const kernel = nb.sessionContext.session?.kernel;
    if (!kernel) {
      throw new Error('no kernel');
    }
    let out = '';
    let error = '';
    const future = kernel.requestExecute({ code, silent: false, store_history: false });
    future.onIOPub = msg => {
      if (KernelMessage.isStreamMsg(msg)) {
        out += msg.content.text;
      } else if (KernelMessage.isErrorMsg(msg)) {
        error = `${msg.content.ename}: ${msg.content.evalue}`;
      } else if (KernelMessage.isExecuteResultMsg(msg) || KernelMessage.isDisplayDataMsg(msg)) {
        const t = (msg.content.data as any)['text/plain'];
        if (t) {
          out += String(t);
        }
      }
    };
    await future.done;
    if (error) {
      throw new Error(error);
    }
    return out;
  }

  private _app: JupyterFrontEnd;
  private _tracker: INotebookTracker;
  private _annotators = new Map<NotebookPanel, NotebookAnnotator>();
  private _clients = new Map<NotebookPanel, IKale4jClient>();
  private _runViews = new Map<string, MainAreaWidget>();
  private _busy = new Set<NotebookPanel>();

  get tracker(): INotebookTracker {
    return this._tracker;
  }
}

class ToolbarExtension implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel> {
  constructor(private _controller: Controller) {}

  createNew(panel: NotebookPanel): IDisposable {
    const button = new ToolbarButton({
      className: 'kale4j-toolbar-run',
      label: 'Compile & Run',
      icon: ICON,
      tooltip: 'Save, validate, compile and run this notebook\u2019s pipeline',
      onClick: () => void this._controller.compileAndRun(panel)
    });
    const update = () => button.setHidden(!isKale4jNotebook(panel));
    panel.toolbar.insertItem(10, 'kale4j-compile-run', button);
    void panel.context.ready.then(update);
    panel.sessionContext.kernelChanged.connect(update);
    return new DisposableDelegate(() => button.dispose());
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'kale4j-jupyterlab:plugin',
  description: 'kale4j: annotate cells, compile and run notebook pipelines, watch and restore steps',
  autoStart: true,
  requires: [INotebookTracker, ILabShell],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, labShell: ILabShell, palette: ICommandPalette | null) => {
    const controller = new Controller(app, tracker);
    const panel = controller.panel;
    panel.title.icon = ICON;
    labShell.add(panel, 'left', { rank: 300 });
    tracker.widgetAdded.connect((_, nb) => controller.track(nb));
    tracker.forEach(nb => controller.track(nb));
    const follow = () => panel.setNotebook(tracker.currentWidget);
    tracker.currentChanged.connect(follow);
    follow();
    app.docRegistry.addWidgetExtension('Notebook', new ToolbarExtension(controller));
    app.commands.addCommand(COMMAND, {
      label: 'Compile & Run Pipeline',
      caption: 'Save, validate, compile and run the current notebook\u2019s pipeline',
      isEnabled: () => tracker.currentWidget !== null,
      execute: () => {
        const nb = tracker.currentWidget;
        return nb ? controller.compileAndRun(nb) : undefined;
      }
    });
    palette?.addItem({ command: COMMAND, category: 'kale4j' });
  }
};

export default plugin;
