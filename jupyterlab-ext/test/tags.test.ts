import {
  analyse,
  parseDuration,
  parseTags,
  PALETTE,
  removeReferencesInTags,
  renameInTags,
  stepColours,
  suggestStepName,
  suggestTag,
  uniqueStepName,
  writeTags
} from '../src/tags';

describe('parseTags', () => {
  test('roles and aliases', () => {
    expect(parseTags(['imports']).role).toBe('imports');
    expect(parseTags(['functions']).role).toBe('functions');
    for (const t of ['pipeline-parameters', 'hparams', 'parameters']) {
      expect(parseTags([t]).role).toBe('pipeline-parameters');
    }
    for (const t of ['pipeline-metrics', 'metrics']) {
      expect(parseTags([t]).role).toBe('pipeline-metrics');
    }
    expect(parseTags(['skip']).role).toBe('skip');
    expect(parseTags([]).role).toBe('continuation');
    expect(parseTags(undefined).role).toBe('continuation');
    expect(parseTags(['']).role).toBe('continuation');
  });

  test('step and block, prev and deps', () => {
    const a = parseTags(['block:train', 'deps:load, clean', 'prev:split', 'prev:load']);
    expect(a.role).toBe('step');
    expect(a.step).toBe('train');
    expect(a.prev).toEqual(['load', 'clean', 'split']);
    expect(a.errors).toEqual([]);
  });

  test('step settings', () => {
    const a = parseTags([
      'step:fit', 'limit:memory:4Gi', 'limit:cpu:500m', 'gpu:2:amd', 'image:eclipse-temurin:17-jre',
      'annotation:team/owner:ml people', 'label:tier:gold', 'cache:disabled', 'secret:db-creds:password:DB_PASS',
      'retry:3', 'timeout:1h30m'
    ]);
    expect(a.errors).toEqual([]);
    expect(a.settings.limits).toEqual({ memory: '4Gi', cpu: '500m' });
    expect(a.settings.gpu).toEqual({ count: 2, vendor: 'amd' });
    expect(a.settings.image).toBe('eclipse-temurin:17-jre');
    expect(a.settings.annotations).toEqual({ 'team/owner': 'ml people' });
    expect(a.settings.labels).toEqual({ tier: 'gold' });
    expect(a.settings.cache).toBe(false);
    expect(a.settings.secrets).toEqual([{ name: 'db-creds', key: 'password', env: 'DB_PASS' }]);
    expect(a.settings.retries).toBe(3);
    expect(a.settings.timeout).toBe(5400);
    expect(parseTags(['gpu:1']).settings.gpu).toEqual({ count: 1, vendor: 'nvidia' });
  });

  test('invalid tags give the CLI messages', () => {
    expect(parseTags(['step:Train']).errors[0]).toContain('"Train" is not a valid step name');
    expect(parseTags(['step:Train']).errors[0]).toContain('"train"');
    expect(parseTags(['step:']).errors[0]).toContain('the step name is empty');
    expect(parseTags(['gpu:0']).errors[0]).toContain('expected gpu:<count>');
    expect(parseTags(['gpu:1:intel']).errors[0]).toContain('GPU vendor must be nvidia or amd');
    expect(parseTags(['limit:memory:lots']).errors[0]).toContain('is not a Kubernetes quantity');
    expect(parseTags(['cache:yes']).errors[0]).toContain('expected cache:enabled or cache:disabled');
    expect(parseTags(['retry:100']).errors[0]).toContain('0 to 99');
    expect(parseTags(['timeout:0s']).errors[0]).toContain('longer than zero');
    expect(parseTags(['secret:Bad_Name:k:ENV']).errors[0]).toContain('not a valid Kubernetes secret name');
    expect(parseTags(['label:k:-bad']).errors[0]).toContain('not a valid label value');
    expect(parseTags(['stpe:x']).errors[0]).toBe('unknown tag "stpe:x"; did you mean "step:x"?');
    expect(parseTags(['wholly-unrelated']).errors[0]).toContain('known tags:');
  });

  test('one role per cell; step tags only on step cells', () => {
    expect(parseTags(['step:a', 'step:b']).errors[0]).toContain('conflicts with step:a');
    expect(parseTags(['imports', 'skip']).errors[0]).toContain('conflicts with imports');
    expect(parseTags(['imports', 'imports']).errors).toEqual([]);
    expect(parseTags(['imports', 'gpu:1']).errors[0]).toContain('cannot go on a "imports" cell');
    expect(parseTags(['gpu:1']).errors).toEqual([]);
  });

  test('durations', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('250ms')).toBe(0.25);
    expect(() => parseDuration('5x')).toThrow('expected a duration');
  });

  test('suggestions', () => {
    expect(suggestTag('imprts')).toBe('imports');
    expect(suggestTag('prv:a')).toBe('prev:a');
    expect(suggestTag('zzzzzzzzzz')).toBeNull();
    expect(suggestStepName('Load Data')).toBe('load_data');
    expect(suggestStepName('2nd')).toBe('step_2nd');
  });
});

describe('writeTags', () => {
  test('writes the standard spelling and round-trips through parseTags', () => {
    const tags = writeTags([], {
      role: 'step', step: 'train', prev: ['load', 'clean'], gpu: { count: 2, vendor: 'amd' },
      image: 'eclipse-temurin:21', cache: false
    });
    expect(tags).toEqual(['step:train', 'prev:load', 'prev:clean', 'gpu:2:amd', 'image:eclipse-temurin:21', 'cache:disabled']);
    const back = parseTags(tags);
    expect(back.errors).toEqual([]);
    expect(back.step).toBe('train');
    expect(back.prev).toEqual(['load', 'clean']);
    expect(back.settings.gpu).toEqual({ count: 2, vendor: 'amd' });
    expect(back.settings.cache).toBe(false);
  });

  test('replaces aliases, keeps unmanaged tags, nvidia is the default vendor', () => {
    const tags = writeTags(['block:old', 'deps:a,b', 'limit:memory:1Gi', 'gpu:1', 'retry:2'], {
      role: 'step', step: 'new', prev: ['a'], gpu: { count: 1, vendor: 'nvidia' }
    });
    expect(tags).toEqual(['step:new', 'prev:a', 'gpu:1', 'limit:memory:1Gi', 'retry:2']);
  });

  test('non-step roles drop step settings; continuation writes no role tag', () => {
    expect(writeTags(['step:a', 'prev:b', 'limit:cpu:1'], { role: 'imports' })).toEqual(['imports']);
    expect(writeTags(['step:a', 'prev:b'], { role: 'continuation', prev: ['b'] })).toEqual(['prev:b']);
    expect(writeTags(['skip'], { role: 'pipeline-metrics' })).toEqual(['pipeline-metrics']);
    expect(() => writeTags([], { role: 'step' })).toThrow('step name');
  });

  test('a step never lists itself as a dependency', () => {
    expect(writeTags([], { role: 'step', step: 'a', prev: ['a', 'b'] })).toEqual(['step:a', 'prev:b']);
  });
});

describe('rename and delete', () => {
  test('rename rewrites step:, block:, prev: and deps:', () => {
    expect(renameInTags(['step:load', 'gpu:1'], 'load', 'read')).toEqual(['step:read', 'gpu:1']);
    expect(renameInTags(['block:load'], 'load', 'read')).toEqual(['block:read']);
    expect(renameInTags(['step:fit', 'prev:load', 'prev:loader'], 'load', 'read')).toEqual([
      'step:fit', 'prev:read', 'prev:loader'
    ]);
    expect(renameInTags(['deps:a,load,b'], 'load', 'read')).toEqual(['deps:a,read,b']);
    expect(renameInTags(['deps:a,load'], 'load', 'a')).toEqual(['deps:a']);
    const same = ['step:x'];
    expect(renameInTags(same, 'load', 'read')).toBe(same);
  });

  test('removing a step removes references to it', () => {
    expect(removeReferencesInTags(['step:fit', 'prev:load', 'prev:clean'], 'load')).toEqual(['step:fit', 'prev:clean']);
    expect(removeReferencesInTags(['deps:load,clean'], 'load')).toEqual(['deps:clean']);
    expect(removeReferencesInTags(['deps:load'], 'load')).toEqual([]);
    expect(removeReferencesInTags(['step:load'], 'load')).toEqual(['step:load']);
  });
});

describe('colours', () => {
  test('cells of one step share a colour; the first ten steps differ', () => {
    const names = ['a', 'b', 'a', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
    const colours = stepColours(names);
    expect(colours.size).toBe(11);
    const first10 = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map(n => colours.get(n));
    expect(new Set(first10).size).toBe(10);
    expect(colours.get('a')).toBe(PALETTE[0]);
    expect(colours.get('k')).toBe(PALETTE[0]);
    expect(stepColours(['b', 'a']).get('a')).toBe(PALETTE[1]);
  });

  test('unique step names', () => {
    expect(uniqueStepName('step', ['a'])).toBe('step');
    expect(uniqueStepName('step', ['step', 'step_2'])).toBe('step_3');
    expect(uniqueStepName('My Step', [])).toBe('my_step');
  });
});

describe('analyse', () => {
  const nb = [
    { type: 'markdown', tags: [] },
    { type: 'code', tags: ['imports'] },
    { type: 'code', tags: ['pipeline-parameters'] },
    { type: 'code', tags: ['step:tokenize'] },
    { type: 'code', tags: ['step:frequencies', 'prev:tokenize'] },
    { type: 'code', tags: ['step:lengths', 'prev:tokenize', 'gpu:1'] },
    { type: 'code', tags: ['step:report', 'prev:frequencies', 'prev:lengths'] },
    { type: 'code', tags: [] },
    { type: 'code', tags: ['pipeline-metrics'] }
  ];

  test('groups cells into steps like the compiler', () => {
    const a = analyse(nb);
    expect(a.problems).toEqual([]);
    expect([...a.steps.keys()]).toEqual(['tokenize', 'frequencies', 'lengths', 'report']);
    expect(a.steps.get('report')!.cells).toEqual([6, 7]);
    expect(a.steps.get('report')!.prev).toEqual(['frequencies', 'lengths']);
    expect(a.steps.get('lengths')!.gpu).toEqual({ count: 1, vendor: 'nvidia' });
    expect(a.cells[7]!.stepOf).toBe('report');
    expect(a.cells[7]!.first).toBe(false);
    expect(a.cells[6]!.first).toBe(true);
    expect(a.cells[0]).toBeNull();
  });

  test('finds unknown, self and cyclic dependencies and orphan cells', () => {
    const bad = analyse([
      { type: 'code', tags: [], source: 'int x = 1;' },
      { type: 'code', tags: ['step:a', 'prev:b'] },
      { type: 'code', tags: ['step:b', 'prev:a'] },
      { type: 'code', tags: ['step:c', 'prev:c', 'prev:frequncies'] }
    ]);
    const msgs = bad.problems.map(p => `${p.cell}: ${p.message}`);
    expect(msgs).toContain('0: this code cell belongs to no step: tag it step:<name>, imports, functions, pipeline-parameters or skip');
    expect(msgs).toContain('3: tag "prev:c": a step cannot depend on itself');
    expect(msgs.some(m => m.startsWith('3: tag "prev:frequncies": no step is named'))).toBe(true);
    expect(msgs.some(m => m.includes('form a cycle'))).toBe(true);
  });

  test('a blank orphan cell is fine; no steps at all is a problem', () => {
    const a = analyse([{ type: 'code', tags: [], source: '  ' }, { type: 'code', tags: ['imports'] }]);
    expect(a.problems.map(p => p.message)).toEqual(["no steps: tag a code cell with step:<name> (or Kale's block:<name>)"]);
  });
});
