import { formatDuration, layout } from '../src/dag';
import { defaultPipelineName, parseParameters, pipelineNameProblem, readSettings, targetChoices, writeSettings } from '../src/settings';

describe('notebook settings', () => {
  test('reads Kale keys with defaults', () => {
    const s = readSettings(undefined, 'dir/Word Stats.ipynb');
    expect(s.pipeline_name).toBe('word-stats');
    expect(s.enabled).toBe(true);
    expect(s.target).toBe('local');
    expect(s.snapshot_volumes).toBe(true);
    expect(s.katib_metadata.algorithm.algorithmName).toBe('random');
    const k = readSettings({ pipeline_name: 'p', experiment: { name: 'exp' }, snapshot_volumes: false, target: 'nonsense' }, 'x.ipynb');
    expect(k.experiment_name).toBe('exp');
    expect(k.snapshot_volumes).toBe(false);
    expect(k.target).toBe('local');
  });

  test('writing keeps keys kale4j does not edit', () => {
    const before = { pipeline_name: 'a', autosnapshot: true, steps_defaults: ['label:app:x'] };
    const s = readSettings(before, 'a.ipynb');
    s.experiment_name = 'e';
    s.target = 'kfp';
    const out = writeSettings(before, s);
    expect(out.autosnapshot).toBe(true);
    expect(out.experiment_name).toBe('e');
    expect(out.target).toBe('kfp');
    expect(out.steps_defaults).toEqual(['label:app:x']);
    expect(readSettings(out, 'a.ipynb')).toEqual(s);
  });

  test('Katib metadata in the shape of the churn sample', () => {
    const katib = {
      parameters: [{ name: 'epochs', feasibleSpace: { list: ['50', '150'] } }],
      objective: { type: 'maximize', objectiveMetricName: 'logisticAccuracy' },
      algorithm: { algorithmName: 'grid' },
      maxTrialCount: 6, parallelTrialCount: 2, maxFailedTrialCount: 2
    };
    const s = readSettings({ katib_metadata: katib }, 'c.ipynb');
    expect(s.katib_metadata).toEqual(katib);
  });

  test('pipeline parameters and names', () => {
    expect(parseParameters('String text = "a b";\nint top = 2;\n// x\nfinal double lr = 0.05;')).toEqual([
      { type: 'String', name: 'text', value: '"a b"' },
      { type: 'int', name: 'top', value: '2' },
      { type: 'double', name: 'lr', value: '0.05' }
    ]);
    expect(pipelineNameProblem('word-stats')).toBeNull();
    expect(pipelineNameProblem('Word Stats')).toContain('lowercase');
    expect(pipelineNameProblem('')).toContain('empty');
    expect(defaultPipelineName('___.ipynb')).toBe('pipeline');
  });
});

describe('DAG layout', () => {
  test('layers by longest path; edges from dependencies', () => {
    const l = layout([
      { name: 'tokenize', deps: [] },
      { name: 'frequencies', deps: ['tokenize'] },
      { name: 'lengths', deps: ['tokenize'] },
      { name: 'report', deps: ['frequencies', 'lengths', 'tokenize'] }
    ]);
    expect(l.nodes.get('tokenize')!.layer).toBe(0);
    expect(l.nodes.get('frequencies')!.layer).toBe(1);
    expect(l.nodes.get('report')!.layer).toBe(2);
    expect(l.nodes.get('lengths')!.x).toBeGreaterThan(l.nodes.get('frequencies')!.x);
    expect(l.edges).toHaveLength(5);
    expect(l.height).toBeGreaterThan(l.nodes.get('report')!.y);
  });

  test('a cycle or an unknown dependency still lays out', () => {
    const l = layout([{ name: 'a', deps: ['b'] }, { name: 'b', deps: ['a', 'zzz'] }]);
    expect(l.nodes.size).toBe(2);
    expect(l.edges).toHaveLength(2);
  });

  test('durations', () => {
    expect(formatDuration(undefined)).toBe('');
    expect(formatDuration(450)).toBe('450 ms');
    expect(formatDuration(1900)).toBe('1.9 s');
    expect(formatDuration(184000)).toBe('3 min 4 s');
  });
});

describe('target choices', () => {
  test('no cluster: only Local, Argo and KFP disabled with the kernel reason, and a hint', () => {
    const c = targetChoices({ available: ['local'], reasons: { argo: 'no Kubernetes configuration', kfp: 'kale4j submit --target kfp' } }, 'argo');
    expect(c.value).toBe('local');
    expect(c.choices.map(x => [x.value, x.disabled])).toEqual([['local', false], ['argo', true], ['kfp', true]]);
    expect(c.choices[1].title).toBe('no Kubernetes configuration');
    expect(c.choices[1].label).toBe('Argo (not available)');
    expect(c.hint).toBe('Runs locally. Argo: no Kubernetes configuration');
  });

  test('a cluster with Argo: Argo can be chosen and stays selected', () => {
    const c = targetChoices({ available: ['local', 'argo'], reasons: { kfp: 'kale4j submit --target kfp' } }, 'argo');
    expect(c.value).toBe('argo');
    expect(c.choices.filter(x => !x.disabled).map(x => x.value)).toEqual(['local', 'argo']);
    expect(c.choices[1].title).toBeUndefined();
    expect(c.choices[2].title).toBe('kale4j submit --target kfp');
    expect(c.hint).toBeUndefined();
  });

  test('before the kernel answered: Local only', () => {
    const c = targetChoices(null, 'kfp');
    expect(c.value).toBe('local');
    expect(c.hint).toContain('need a cluster');
  });
});
