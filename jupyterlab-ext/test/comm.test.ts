import { applyProgress, clusterRunUrl, isClusterRun, Kale4jClient, normalizeRun, RunEvent, runUiLink, runUiUrl } from '../src/comm';

/** A kernel connection with one comm, whose kernel side is `answer`. */
function fakeKernel(answer: (data: any, reply: (d: any) => void) => void) {
  const sent: any[] = [];
  let opened = 0;
  const comm: any = {
    isDisposed: false,
    onMsg: null,
    onClose: null,
    open: () => {
      opened++;
    },
    send: (data: any) => {
      sent.push(data);
      setTimeout(() => answer(data, d => comm.onMsg({ content: { data: d } })), 0);
    },
    close: () => {
      comm.isDisposed = true;
    }
  };
  const kernel: any = { createComm: (target: string) => ((comm.target = target), comm) };
  return { kernel, comm, sent, opened: () => opened };
}

describe('Kale4jClient', () => {
  test('requests carry action and request_id; replies are matched by request_id', async () => {
    const k = fakeKernel((d, reply) => {
      reply({ request_id: 'someone-else', ok: true, steps: [] });
      reply({ action: d.action, request_id: d.request_id, ok: true, pipeline: 'p', steps: [{ name: 'a', deps: [] }, { name: 'b', deps: ['a'] }] });
    });
    const c = new Kale4jClient(k.kernel);
    const r = await c.compile('nb.ipynb');
    expect(k.comm.target).toBe('kale4j');
    expect(k.sent[0]).toMatchObject({ action: 'graph', notebook: 'nb.ipynb' });
    expect(typeof k.sent[0].request_id).toBe('string');
    expect(r).toEqual({ ok: true, pipeline: 'p', steps: [{ name: 'a', deps: [] }, { name: 'b', deps: ['a'] }] });
    await c.ping();
    expect(k.opened()).toBe(1);
  });

  test('a refusal is an error with the kernel message; compile errors keep the cell', async () => {
    const k = fakeKernel((d, reply) => reply({ request_id: d.request_id, ok: false, error: 'no steps', cell: 3, tag: 'prev:x' }));
    const c = new Kale4jClient(k.kernel);
    expect(await c.compile('x.ipynb')).toEqual({ ok: false, error: 'no steps', cell: 3, tag: 'prev:x' });
    await expect(c.run('x.ipynb', 'local')).rejects.toThrow('no steps');
  });

  test('targets: Local when the kernel does not know the request', async () => {
    const k = fakeKernel((d, reply) => reply({ request_id: d.request_id, ok: false, error: "unknown action 'targets'" }));
    const c = new Kale4jClient(k.kernel);
    expect((await c.targets()).available).toEqual(['local']);
  });

  test('run_progress and run_finished messages become events', async () => {
    const k = fakeKernel(() => undefined);
    const c = new Kale4jClient(k.kernel);
    const got: RunEvent[] = [];
    c.events.connect((_, e) => got.push(e));
    void c.ping();
    k.comm.onMsg({ content: { data: { action: 'run_progress', run_id: 'r1', step: 'a', status: 'Running', duration_ms: 0, message: null } } });
    k.comm.onMsg({ content: { data: { action: 'run_finished', run_id: 'r1', status: 'Stopped', steps: [{ name: 'a', status: 'Failed', deps: [], message: 'stopped by the user' }] } } });
    expect(got.map(e => [e.run.run_id, e.run.status, e.run.steps[0].status])).toEqual([['r1', 'Running', 'Running'], ['r1', 'Stopped', 'Failed']]);
    expect(got[1].run.steps[0].message).toBe('stopped by the user');
    c.dispose();
  });

  test('no answer in time and a closed comm reject pending requests', async () => {
    const silent = fakeKernel(() => undefined);
    await expect(new Kale4jClient(silent.kernel, 20).request('ping')).rejects.toThrow('did not answer "ping" in time');
    const closing = fakeKernel(() => closing.comm.onClose({}));
    await expect(new Kale4jClient(closing.kernel).request('run')).rejects.toThrow('closed the kale4j channel');
    expect(await new Kale4jClient(closing.kernel).ping()).toBe(false);
  });
});

describe('normalizeRun', () => {
  test('snake_case passes through; status words are capitalised', () => {
    const r = normalizeRun({ run_id: 'r', target: 'local', status: 'running', steps: [{ name: 'a', status: 'succeeded', deps: [], duration_ms: 5 }] });
    expect(r.status).toBe('Running');
    expect(r.steps[0]).toMatchObject({ name: 'a', status: 'Succeeded', deps: [], duration_ms: 5 });
  });

  test("the runner's summary.json shape", () => {
    const r = normalizeRun({
      runId: '20261122-1', status: 'Succeeded', metrics: { acc: 0.9 },
      steps: { split: { status: 'Cached', durationMs: 1900 }, train: { status: 'Failed', dependencies: ['split'] } }
    });
    expect(r.run_id).toBe('20261122-1');
    expect(r.target).toBe('local');
    expect(r.steps.map(s => [s.name, s.status, s.duration_ms, s.deps])).toEqual([
      ['split', 'Cached', 1900, []],
      ['train', 'Failed', undefined, ['split']]
    ]);
    expect(r.metrics).toEqual({ acc: 0.9 });
  });
});

describe('runs over the comm (docs/comm-protocol.md)', () => {
  /** A kernel that answers run at once and then streams the run's progress. */
  function runningKernel(opts: { progressBeforeReply?: boolean } = {}) {
    const k = fakeKernel((d, reply) => {
      const progress = (step: string, status: string, duration_ms = 0, extra: object = {}) =>
        reply({ action: 'run_progress', run_id: 'r1', step, status, duration_ms, message: null, ...extra });
      if (d.action === 'run') {
        if (opts.progressBeforeReply) {
          progress('a', 'Running');
        }
        reply({
          action: 'run', request_id: d.request_id, ok: true, run_id: 'r1', pipeline: 'p', target: 'local', status: 'Running', active: true,
          steps: [{ name: 'a', deps: [], status: 'Pending' }, { name: 'b', deps: ['a'], status: 'Pending' }]
        });
        setTimeout(() => {
          progress('a', 'Running');
          progress('a', 'Succeeded', 1200, { snapshot: 'snap-a' });
          progress('b', 'Running');
          progress('b', 'Failed', 300, { message: 'step b failed at cell 3' });
          reply({ action: 'run_finished', run_id: 'r1', status: 'Failed', duration_ms: 1600, snapshots: { _initial: 's0', a: 'snap-a' },
            steps: [{ name: 'a', deps: [], status: 'Succeeded', duration_ms: 1200 }, { name: 'b', deps: ['a'], status: 'Failed', duration_ms: 300, message: 'step b failed at cell 3' }] });
        }, 5);
      } else if (d.action === 'run_status') {
        reply({ request_id: d.request_id, ok: true, run: { run_id: d.run_id, status: 'Stopped', target: 'local', steps: [{ name: 'a', deps: [], status: 'Failed', message: 'stopped by the user' }, { name: 'b', deps: ['a'], status: 'Skipped' }] } });
      } else if (d.action === 'stop') {
        reply({ request_id: d.request_id, ok: true, run_id: d.run_id, status: 'Stopped' });
      } else if (d.action === 'restore') {
        if (String(d.folder).startsWith('..')) {
          reply({ request_id: d.request_id, ok: false, error: "folder '../x' is outside the notebook's folder /w" });
        } else {
          reply({ request_id: d.request_id, ok: true, folder: d.folder, files: 2, snapshot: 'snap-a' });
        }
      }
    });
    return k;
  }

  test('run resolves with the run id at once; progress and the end arrive as events', async () => {
    const k = runningKernel();
    const c = new Kale4jClient(k.kernel);
    const events: RunEvent[] = [];
    c.events.connect((_, e) => events.push(e));
    const run = await c.run('nb.ipynb', 'local');
    expect(k.sent[0]).toMatchObject({ action: 'run', notebook: 'nb.ipynb', target: 'local' });
    expect(run.run_id).toBe('r1');
    expect(run.status).toBe('Running');
    expect(run.steps.map(s => [s.name, s.status, s.deps])).toEqual([['a', 'Pending', []], ['b', 'Pending', ['a']]]);
    expect(events).toHaveLength(0);
    await new Promise(r => setTimeout(r, 30));
    expect(events.map(e => e.run.steps.map(s => s.status).join(','))).toEqual([
      'Running,Pending', 'Succeeded,Pending', 'Succeeded,Running', 'Succeeded,Failed', 'Succeeded,Failed'
    ]);
    const second = events[1].run.steps[0];
    expect([second.duration_ms, second.snapshot]).toEqual([1200, 'snap-a']);
    expect(events[3].run.steps[1].deps).toEqual(['a']);
    expect(events[3].run.steps[1].message).toBe('step b failed at cell 3');
    const last = events[events.length - 1].run;
    expect(last.status).toBe('Failed');
    expect(last.snapshots).toEqual({ _initial: 's0', a: 'snap-a' });
  });

  test('progress that arrives before the reply is not lost', async () => {
    const k = runningKernel({ progressBeforeReply: true });
    const c = new Kale4jClient(k.kernel);
    const run = await c.run('nb.ipynb', 'local');
    expect(run.steps.map(s => [s.name, s.status, s.deps])).toEqual([['a', 'Running', []], ['b', 'Pending', ['a']]]);
  });

  test('a refused run rejects with the kernel message', async () => {
    const k = fakeKernel((d, reply) => reply({ request_id: d.request_id, ok: false, error: 'nb.ipynb: cell 2 (id c): tag "prev:x": no step', cell: 2 }));
    await expect(new Kale4jClient(k.kernel).run('nb.ipynb', 'local')).rejects.toThrow('no step');
  });

  test('stop sends run_id, then reads the stopped state with run_status', async () => {
    const k = runningKernel();
    const c = new Kale4jClient(k.kernel);
    await c.run('nb.ipynb', 'local');
    const events: RunEvent[] = [];
    c.events.connect((_, e) => events.push(e));
    const stopped = await c.stop('r1');
    const sent = k.sent.map(d => d.action);
    expect(sent.slice(sent.indexOf('stop'))).toEqual(['stop', 'run_status']);
    expect(k.sent.find(d => d.action === 'stop')).toMatchObject({ run_id: 'r1' });
    expect(k.sent.find(d => d.action === 'run_status')).toMatchObject({ run_id: 'r1', notebook: 'nb.ipynb' });
    expect(stopped.status).toBe('Stopped');
    expect(stopped.steps.map(s => s.status)).toEqual(['Failed', 'Skipped']);
    expect(events.some(e => e.run.status === 'Stopped')).toBe(true);
  });

  test('restoreFiles sends the folder, the step and before/after; the kernel\'s refusal is the error', async () => {
    const k = runningKernel();
    const c = new Kale4jClient(k.kernel);
    await c.run('work/nb.ipynb', 'local');
    const r = await c.restoreFiles('r1', 'a', 'restored/r1/a', true);
    expect(k.sent.find(d => d.action === 'restore')).toMatchObject({ run_id: 'r1', step: 'a', folder: 'restored/r1/a', after: true, notebook: 'work/nb.ipynb' });
    expect(r).toEqual({ folder: 'restored/r1/a', files: 2, snapshot: 'snap-a' });
    await c.restoreFiles('r1', 'a', 'before/a', false);
    expect(k.sent.filter(d => d.action === 'restore')[1]).toMatchObject({ after: false });
    await expect(c.restoreFiles('r1', 'a', '../x')).rejects.toThrow("outside the notebook's folder");
  });
});

describe('applyProgress', () => {
  test('updates one step; a Running step forgets an old message; unknown steps are added', () => {
    const run = normalizeRun({ run_id: 'r', status: 'Running', steps: [{ name: 'a', status: 'Failed', deps: [], message: 'old' }] });
    const running = applyProgress(run, { run_id: 'r', step: 'a', status: 'running', duration_ms: 0, message: null });
    expect(running.steps[0]).toMatchObject({ status: 'Running', message: undefined });
    const added = applyProgress(running, { step: 'b', status: 'Skipped', duration_ms: 0, message: 'upstream failed' });
    expect(added.steps.map(s => [s.name, s.status, s.message])).toEqual([['a', 'Running', undefined], ['b', 'Skipped', 'upstream failed']]);
    expect(run.steps[0].status).toBe('Failed'); // not mutated
  });
});

describe('cluster UI links', () => {
  test('Argo: BASE/workflows/NAMESPACE/NAME', () => {
    expect(clusterRunUrl('argo', { base: 'https://argo.example.com/', namespace: 'team-a', run: 'word-stats-x7k2p' }))
      .toBe('https://argo.example.com/workflows/team-a/word-stats-x7k2p');
    expect(clusterRunUrl('argo', { base: 'https://argo.example.com', run: 'w' })).toBeUndefined();
  });

  test('KFP: BASE/#/runs/details/RUN_ID (also behind the Kubeflow dashboard)', () => {
    expect(clusterRunUrl('kfp', { base: 'http://localhost:8080', run: '4f6b1c2e-90aa' })).toBe('http://localhost:8080/#/runs/details/4f6b1c2e-90aa');
    expect(clusterRunUrl('kfp', { base: 'https://kf.example.com/_/pipeline/', run: 'a b' })).toBe('https://kf.example.com/_/pipeline/#/runs/details/a%20b');
  });

  test('no link for local runs, without a base, or for a base that is not http(s)', () => {
    expect(clusterRunUrl('local', { base: 'http://x', run: 'r' })).toBeUndefined();
    expect(clusterRunUrl('kfp', { run: 'r' })).toBeUndefined();
    expect(clusterRunUrl('kfp', { base: 'javascript:alert(1)', run: 'r' })).toBeUndefined();
  });

  test("the run view's link: the run's ui_url, else built from target, ui_base and namespace", () => {
    const run = normalizeRun({ run_id: 'wf-1', target: 'argo', status: 'Running', steps: [], ui_base: 'https://argo.example.com', namespace: 'kubeflow' });
    expect(runUiUrl(run)).toBe('https://argo.example.com/workflows/kubeflow/wf-1');
    expect(runUiUrl({ ...run, ui_url: 'https://kfp.example.com/#/runs/details/9' })).toBe('https://kfp.example.com/#/runs/details/9');
    expect(runUiUrl(normalizeRun({ run_id: 'r', status: 'Running', steps: [] }))).toBeUndefined();
  });
});

describe('cluster runs (target argo)', () => {
  test("the run view's link is labelled by target; local runs have none", () => {
    const argo = normalizeRun({ run_id: 'wc-x1', target: 'argo', status: 'Running', steps: [], ui_url: 'https://argo.example.com/workflows/team-a/wc-x1' });
    expect(runUiLink(argo)).toEqual({ href: 'https://argo.example.com/workflows/team-a/wc-x1', label: 'Open in Argo' });
    const kfp = normalizeRun({ run_id: '9f', target: 'kfp', status: 'Running', steps: [], ui_base: 'https://kf.example.com/pipeline' });
    expect(runUiLink(kfp)).toEqual({ href: 'https://kf.example.com/pipeline/#/runs/details/9f', label: 'Open in Kubeflow Pipelines' });
    expect(runUiLink(normalizeRun({ run_id: 'r', target: 'local', status: 'Running', steps: [], ui_url: 'https://x' }))).toBeUndefined();
    expect(runUiLink({ ...argo, ui_url: undefined })).toBeUndefined();
    expect(isClusterRun(argo)).toBe(true);
    expect(isClusterRun({ target: 'local' })).toBe(false);
  });

  test('run on argo: the reply carries ui_url and namespace; status and stop name the target', async () => {
    const k = fakeKernel((d, reply) => {
      if (d.action === 'run') {
        reply({ action: 'run', request_id: d.request_id, ok: true, run_id: 'wc-x1', target: 'argo', namespace: 'team-a', status: 'Pending',
          active: true, ui_url: 'https://argo.example.com/workflows/team-a/wc-x1', steps: [{ name: 'a', deps: [], status: 'Pending' }] });
        setTimeout(() => reply({ action: 'run_progress', run_id: 'wc-x1', target: 'argo', step: 'a', status: 'Cached', duration_ms: 0, message: null }), 1);
      } else if (d.action === 'run_status') {
        reply({ request_id: d.request_id, ok: true, run: { run_id: 'wc-x1', target: 'argo', namespace: 'team-a', status: 'Stopped', steps: [] } });
      } else {
        reply({ request_id: d.request_id, ok: true, run_id: 'wc-x1', was_running: true, stopped: true, status: 'Stopped' });
      }
    });
    const c = new Kale4jClient(k.kernel);
    const got: RunEvent[] = [];
    c.events.connect((_, e) => got.push(e));
    const run = await c.run('wc.ipynb', 'argo');
    expect(k.sent[0]).toMatchObject({ action: 'run', target: 'argo', notebook: 'wc.ipynb' });
    expect(runUiLink(run)?.label).toBe('Open in Argo');
    expect(run.namespace).toBe('team-a');
    await new Promise(r => setTimeout(r, 10));
    expect(got[0].run.steps[0].status).toBe('Cached');
    expect(got[0].run.target).toBe('argo');
    const stopped = await c.stop('wc-x1');
    expect(k.sent.find(m => m.action === 'stop')).toMatchObject({ run_id: 'wc-x1', wait_ms: 3000 });
    expect(k.sent.find(m => m.action === 'run_status')).toMatchObject({ run_id: 'wc-x1', target: 'argo', namespace: 'team-a' });
    expect(stopped.status).toBe('Stopped');
    c.dispose();
  });
});
