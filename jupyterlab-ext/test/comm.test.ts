import { Kale4jClient, normalizeRun, RunEvent } from '../src/comm';

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
      if (d.action === 'graph') {
        reply({ request_id: d.request_id, ok: false, error: "unknown action 'graph'" });
        return;
      }
      reply({ request_id: 'someone-else', ok: true, steps: [] });
      reply({ action: d.action, request_id: d.request_id, ok: true, pipeline: 'p', steps: [{ name: 'a', deps: [] }] });
    });
    const c = new Kale4jClient(k.kernel);
    const r = await c.compile('nb.ipynb');
    expect(k.comm.target).toBe('kale4j');
    expect(k.sent[1]).toMatchObject({ action: 'compile', path: 'nb.ipynb' });
    expect(typeof k.sent[1].request_id).toBe('string');
    expect(r).toEqual({ ok: true, pipeline: 'p', steps: [{ name: 'a', deps: [] }] });
    await c.ping();
    expect(k.opened()).toBe(1);
  });

  test('a refusal is an error with the kernel message; compile errors keep the cell', async () => {
    const k = fakeKernel((d, reply) => reply({ request_id: d.request_id, ok: false, error: 'no steps', cell: 3 }));
    const c = new Kale4jClient(k.kernel);
    expect(await c.compile('x.ipynb')).toEqual({ ok: false, error: 'no steps', cell: 3 });
    await expect(c.run('x.ipynb', 'local')).rejects.toThrow('no steps');
  });

  test('targets: Local when the kernel does not know the request', async () => {
    const k = fakeKernel((d, reply) => reply({ request_id: d.request_id, ok: false, error: "unknown action 'targets'" }));
    const c = new Kale4jClient(k.kernel);
    expect((await c.targets()).available).toEqual(['local']);
  });

  test('events go to the events signal', async () => {
    const k = fakeKernel(() => undefined);
    const c = new Kale4jClient(k.kernel);
    const got: RunEvent[] = [];
    c.events.connect((_, e) => got.push(e));
    void c.ping();
    k.comm.onMsg({ content: { data: { event: 'run_status', run: { run_id: 'r1', status: 'Running', target: 'local', steps: [] } } } });
    expect(got).toHaveLength(1);
    expect(got[0].run.run_id).toBe('r1');
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

describe("the kernel's graph/run_progress shape (kernel/.../PipelineSupport.java)", () => {
  test('graph text and compiler messages', () => {
    const { parseGraphText, cellOfMessage } = require('../src/comm');
    expect(parseGraphText('pipeline word-stats (4 steps)\ntokenize\n  frequencies  <- tokenize  [tokens from tokenize]\n  lengths      <- tokenize\n    report       <- frequencies, lengths\n')).toEqual({
      pipeline: 'word-stats',
      steps: [
        { name: 'tokenize', deps: [] },
        { name: 'frequencies', deps: ['tokenize'] },
        { name: 'lengths', deps: ['tokenize'] },
        { name: 'report', deps: ['frequencies', 'lengths'] }
      ]
    });
    expect(cellOfMessage('nb.ipynb: cell 7 (id c7): tag "prev:x": no step is named "x"')).toBe(7);
    expect(cellOfMessage('nb.ipynb: no steps')).toBeUndefined();
  });

  test('progress lines', () => {
    const { parseProgress } = require('../src/comm');
    expect(parseProgress('run 20261122-1: tokenize, report')).toEqual({ kind: 'started', runId: '20261122-1', steps: ['tokenize', 'report'] });
    expect(parseProgress('  tokenize             Running    ')).toMatchObject({ kind: 'step', step: 'tokenize', status: 'Running' });
    expect(parseProgress('  tokenize             Succeeded  1.5 s')).toMatchObject({ kind: 'step', status: 'Succeeded', durationMs: 1500 });
    expect(parseProgress('  report               Failed     0.2 s  step report failed at cell 7')).toMatchObject({
      status: 'Failed', message: 'step report failed at cell 7'
    });
    expect(parseProgress('  numbers              succeeded  0.4 s')).toMatchObject({ step: 'numbers', status: 'Succeeded', durationMs: 400 });
    expect(parseProgress('run 20261122-1 Succeeded in 4200 ms')).toEqual({ kind: 'finished', runId: '20261122-1', status: 'Succeeded', durationMs: 4200 });
    expect(parseProgress('note: added dependency')).toBeNull();
  });

  test('a run answered at its end: started from progress, statuses as events, summary last', async () => {
    let comm: any;
    const k = fakeKernel((d, reply) => {
      if (d.action === 'graph') {
        reply({ request_id: d.request_id, ok: true, text: 'pipeline p (2 steps)\na\n  b  <- a\n' });
      } else if (d.action === 'run') {
        const progress = (line: string) => reply({ action: 'run_progress', request_id: d.request_id, line });
        progress('note: something');
        progress('run r1: a, b');
        progress('  a                    Running    ');
        progress('  a                    Succeeded  1.0 s');
        progress('  b                    Failed     0.5 s  boom');
        progress('run r1 Failed in 1600 ms');
        reply({ request_id: d.request_id, ok: false, summary: { runId: 'r1', status: 'Failed', steps: { a: { status: 'Succeeded', durationMs: 1000 }, b: { status: 'Failed', durationMs: 500 } } } });
      }
    });
    comm = k.comm;
    const c = new Kale4jClient(k.kernel);
    const events: RunEvent[] = [];
    c.events.connect((_, e) => events.push(e));
    const compiled = await c.compile('nb.ipynb');
    expect(k.sent[0]).toMatchObject({ action: 'graph', notebook: 'nb.ipynb' });
    c.setPendingGraph(compiled.steps!, compiled.pipeline);
    const run = await c.run('nb.ipynb', 'local');
    expect(run.run_id).toBe('r1');
    expect(run.steps.map(s => [s.name, s.status, s.deps])).toEqual([['a', 'Pending', []], ['b', 'Pending', ['a']]]);
    await new Promise(r => setTimeout(r, 20));
    const last = events[events.length - 1].run;
    expect(last.status).toBe('Failed');
    expect(last.steps.map(s => [s.name, s.status, s.deps, s.duration_ms])).toEqual([['a', 'Succeeded', [], 1000], ['b', 'Failed', ['a'], 500]]);
    expect(events.some(e => e.run.steps[0].status === 'Running')).toBe(true);
    expect(events.some(e => e.run.steps[1].message === 'boom')).toBe(true);
    void comm;
  });

  test('restore sends run and step; variables come back', async () => {
    const k = fakeKernel((d, reply) => reply({ request_id: d.request_id, ok: true, variables: ['tokens (List<String>)'] }));
    const c = new Kale4jClient(k.kernel);
    const r = await c.restore('r1', 'tokenize', 'restored/r1/tokenize');
    expect(k.sent[0]).toMatchObject({ action: 'restore', run: 'r1', run_id: 'r1', step: 'tokenize' });
    expect(r.variables).toEqual(['tokens (List<String>)']);
  });
});
