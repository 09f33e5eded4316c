/**
 * The kale4j cell-tag language, in TypeScript: the same language as the CLI's annotator
 * (annotator/src/main/java/dev/kale4j/annotator/TagParser.java), which is the reference.
 *
 *   step:NAME | block:NAME            prev:NAME | deps:A,B
 *   imports   functions   skip        pipeline-parameters | hparams | parameters
 *   pipeline-metrics | metrics        limit:RESOURCE:QUANTITY   gpu:N[:nvidia|amd]
 *   image:REF   annotation:K:V   label:K:V   cache:enabled|disabled
 *   secret:NAME:KEY:ENV_VAR   retry:N   timeout:DURATION (30s, 5m, 1h30m)
 *
 * This module has no JupyterLab imports so that it can be unit-tested with Jest alone.
 */

export type Role =
  | 'imports'
  | 'functions'
  | 'pipeline-parameters'
  | 'pipeline-metrics'
  | 'step'
  | 'skip'
  | 'continuation';

/** Labels the UI shows for each role. */
export const ROLE_LABELS: Record<Role, string> = {
  imports: 'Imports',
  functions: 'Functions',
  'pipeline-parameters': 'Pipeline Parameters',
  'pipeline-metrics': 'Pipeline Metrics',
  step: 'Step',
  skip: 'Skip',
  continuation: 'Continues step above'
};

export type GpuVendor = 'nvidia' | 'amd';

export interface Gpu {
  count: number;
  vendor: GpuVendor;
}

export interface SecretEnv {
  name: string;
  key: string;
  env: string;
}

export interface StepSettings {
  limits: Record<string, string>;
  gpu?: Gpu;
  image?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  cache?: boolean;
  secrets: SecretEnv[];
  retries?: number;
  /** Seconds. */
  timeout?: number;
}

export interface CellAnnotation {
  role: Role;
  /** The step name of a `step:` cell. */
  step?: string;
  /** Explicit dependencies (`prev:` / `deps:`), in order, without duplicates. */
  prev: string[];
  settings: StepSettings;
  /** Problems with this cell's tags, in the CLI's wording. Empty when the tags are valid. */
  errors: string[];
}

/** Every tag form, for suggestions. */
export const FORMS = [
  'step:', 'block:', 'prev:', 'deps:', 'imports', 'functions', 'pipeline-parameters', 'hparams',
  'parameters', 'pipeline-metrics', 'metrics', 'skip', 'limit:', 'gpu:', 'image:', 'annotation:',
  'label:', 'cache:', 'secret:', 'retry:', 'timeout:'
];

export const STEP_NAME = /^[a-z_][a-z0-9_]*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const RESOURCE = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const QUALIFIED_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function emptySettings(): StepSettings {
  return { limits: {}, annotations: {}, labels: {}, secrets: [] };
}

export function isValidStepName(name: string): boolean {
  return STEP_NAME.test(name);
}

/** The closest valid step name (the CLI's StepNames.suggest). */
export function suggestStepName(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_');
  s = s.replace(/^_+(?=.)/, '').replace(/(?<=.)_+$/, '');
  if (s === '' || /^[0-9]/.test(s)) {
    s = 'step_' + s;
  }
  return s;
}

/** Why a step name is invalid, or null when it is valid. */
export function stepNameProblem(name: string): string | null {
  if (name === '') {
    return 'the step name is empty';
  }
  if (!isValidStepName(name)) {
    return `"${name}" is not a valid step name: use lowercase letters, digits and '_', starting with a letter or '_' (for example "${suggestStepName(name)}")`;
  }
  return null;
}

export function keyword(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.substring(0, colon);
}

function value(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? '' : tag.substring(colon + 1).trim();
}

/** The role a tag gives, or null when the tag is not a role tag. */
export function roleOf(tag: string): Role | null {
  switch (keyword(tag)) {
    case 'imports':
      return tag === 'imports' ? 'imports' : null;
    case 'functions':
      return tag === 'functions' ? 'functions' : null;
    case 'pipeline-parameters':
    case 'hparams':
    case 'parameters':
      return tag.includes(':') ? null : 'pipeline-parameters';
    case 'pipeline-metrics':
    case 'metrics':
      return tag.includes(':') ? null : 'pipeline-metrics';
    case 'skip':
      return tag === 'skip' ? 'skip' : null;
    case 'step':
    case 'block':
      return tag.includes(':') ? 'step' : null;
    default:
      return null;
  }
}

function roleTagName(role: Role, step?: string): string {
  return role === 'step' ? `step:${step}` : role === 'continuation' ? '(no tag)' : role;
}

/** Parses a duration (90s, 5m, 1h30m, 250ms or plain seconds) into seconds; throws a message. */
export function parseDuration(v: string): number {
  let seconds: number;
  if (/^[0-9]+$/.test(v)) {
    seconds = parseInt(v, 10);
  } else {
    const m = DURATION.exec(v);
    if (v === '' || !m) {
      throw new Error('expected a duration such as 90s, 5m or 1h30m');
    }
    seconds =
      (m[1] ? parseInt(m[1], 10) * 3600 : 0) +
      (m[2] ? parseInt(m[2], 10) * 60 : 0) +
      (m[3] ? parseInt(m[3], 10) : 0) +
      (m[4] ? parseInt(m[4], 10) / 1000 : 0);
  }
  if (seconds === 0) {
    throw new Error('the timeout must be longer than zero');
  }
  return seconds;
}

function pair(v: string, form: string): [string, string] {
  const colon = v.indexOf(':');
  if (colon <= 0) {
    throw new Error('expected ' + form);
  }
  return [v.substring(0, colon), v.substring(colon + 1)];
}

/** Applies one step-settings tag to `s`; throws an Error whose message is the reason. */
export function applySetting(s: StepSettings, tag: string): void {
  const key = keyword(tag);
  const v = value(tag);
  switch (key) {
    case 'limit': {
      const [r, q] = pair(v, 'limit:<resource>:<quantity>, e.g. limit:memory:4Gi');
      if (!RESOURCE.test(r)) {
        throw new Error(`"${r}" is not a resource name (cpu, memory, nvidia.com/gpu, ...)`);
      }
      if (!QUANTITY.test(q)) {
        throw new Error(`"${q}" is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)`);
      }
      s.limits[r] = q;
      return;
    }
    case 'gpu': {
      const parts = v.split(':');
      if (parts.length > 2 || !/^[1-9][0-9]{0,2}$/.test(parts[0])) {
        throw new Error('expected gpu:<count> or gpu:<count>:<nvidia|amd>, e.g. gpu:1');
      }
      const vendor = parts.length === 2 ? parts[1] : 'nvidia';
      if (vendor !== 'nvidia' && vendor !== 'amd') {
        throw new Error(`GPU vendor must be nvidia or amd, not "${vendor}"`);
      }
      s.gpu = { count: parseInt(parts[0], 10), vendor };
      return;
    }
    case 'image':
      if (v.trim() === '' || /\s/.test(v)) {
        throw new Error('expected image:<reference>, e.g. image:eclipse-temurin:17-jre');
      }
      s.image = v;
      return;
    case 'annotation': {
      const [k, val] = pair(v, 'annotation:<key>:<value>');
      if (!QUALIFIED_KEY.test(k)) {
        throw new Error(`"${k}" is not a valid annotation key`);
      }
      s.annotations[k] = val;
      return;
    }
    case 'label': {
      const [k, val] = pair(v, 'label:<key>:<value>');
      if (!QUALIFIED_KEY.test(k)) {
        throw new Error(`"${k}" is not a valid label key`);
      }
      if (val.length > 63 || !LABEL_VALUE.test(val)) {
        throw new Error(
          `"${val}" is not a valid label value (63 characters of letters, digits, '-', '_' or '.', starting and ending alphanumeric)`
        );
      }
      s.labels[k] = val;
      return;
    }
    case 'cache':
      if (v !== 'enabled' && v !== 'disabled') {
        throw new Error('expected cache:enabled or cache:disabled');
      }
      s.cache = v === 'enabled';
      return;
    case 'secret': {
      const parts = v.split(':');
      if (parts.length !== 3) {
        throw new Error('expected secret:<secret-name>:<key>:<ENV_VAR>');
      }
      if (!DNS_SUBDOMAIN.test(parts[0])) {
        throw new Error(`"${parts[0]}" is not a valid Kubernetes secret name`);
      }
      if (parts[1].trim() === '') {
        throw new Error('the secret key is empty');
      }
      if (!ENV_VAR.test(parts[2])) {
        throw new Error(`"${parts[2]}" is not a valid environment variable name`);
      }
      s.secrets.push({ name: parts[0], key: parts[1], env: parts[2] });
      return;
    }
    case 'retry':
      if (!/^[0-9]{1,2}$/.test(v)) {
        throw new Error('expected retry:<attempts>, a number from 0 to 99');
      }
      s.retries = parseInt(v, 10);
      return;
    case 'timeout':
      s.timeout = parseDuration(v);
      return;
    default: {
      const hint = suggestTag(tag);
      throw new UnknownTag(
        hint !== null
          ? `unknown tag "${tag}"; did you mean "${hint}"?`
          : `unknown tag "${tag}"; known tags: step:<name>, prev:<name>, imports, functions, pipeline-parameters, pipeline-metrics, skip, limit:, gpu:, image:, annotation:, label:, cache:, secret:, retry:, timeout:`
      );
    }
  }
}

class UnknownTag extends Error {}

export function levenshtein(a: string, b: string): number {
  const prev = new Array(b.length + 1).fill(0).map((_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The nearest valid tag for a misspelled one, keeping the user's value. */
export function suggestTag(tag: string): string | null {
  const key = keyword(tag);
  const rest = tag.includes(':') ? tag.substring(tag.indexOf(':')) : '';
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const f of FORMS) {
    const d = levenshtein(key, f.endsWith(':') ? f.substring(0, f.length - 1) : f);
    if (d <= Math.max(2, Math.floor(key.length / 3)) && d < bestDistance) {
      best = f;
      bestDistance = d;
    }
  }
  if (best === null) {
    return null;
  }
  return best.endsWith(':') ? best + (rest === '' ? '' : rest.substring(1)) : best;
}

/** Interprets one code cell's tags. Never throws: problems are listed in `errors`. */
export function parseTags(tags: readonly string[] | undefined): CellAnnotation {
  let role: Role | null = null;
  let step: string | undefined;
  const prev: string[] = [];
  const settings = emptySettings();
  const errors: string[] = [];
  let hasSettings = false;
  for (const raw of tags ?? []) {
    const tag = typeof raw === 'string' ? raw : String(raw);
    if (tag === '') {
      continue;
    }
    const tagRole = roleOf(tag);
    if (tagRole !== null) {
      if (role !== null && !(role === tagRole && tagRole !== 'step')) {
        errors.push(
          `tag "${tag}" conflicts with ${roleTagName(role, step)}: a cell has one role (split the cell to give each part its own)`
        );
        continue;
      }
      if (tagRole === 'step') {
        const name = value(tag);
        const problem = stepNameProblem(name);
        if (problem !== null) {
          errors.push(`tag "${tag}": ${problem}`);
        }
        step = name;
      }
      role = tagRole;
      continue;
    }
    const key = keyword(tag);
    if (key === 'prev' || key === 'deps') {
      for (const p of value(tag).split(',')) {
        const name = p.trim();
        const problem = stepNameProblem(name);
        if (problem !== null) {
          errors.push(`tag "${tag}": ${problem}`);
        } else if (!prev.includes(name)) {
          prev.push(name);
        }
      }
      continue;
    }
    try {
      applySetting(settings, tag);
      hasSettings = true;
    } catch (e) {
      const msg = (e as Error).message;
      errors.push(e instanceof UnknownTag ? msg : `tag "${tag}": ${msg}`);
    }
  }
  const finalRole: Role = role ?? 'continuation';
  const stepLike = finalRole === 'step' || finalRole === 'continuation';
  if (!stepLike && (prev.length > 0 || hasSettings)) {
    errors.push(
      `step tags (prev:, limit:, gpu:, ...) cannot go on a "${finalRole}" cell; put them on a step's cell`
    );
  }
  return { role: finalRole, step, prev, settings, errors };
}

// ---- writing -----------------------------------------------------------------------------

/** What the cell editor changes. Tags it does not manage (limit:, label:, ...) are kept. */
export interface CellEdit {
  role: Role;
  step?: string;
  prev?: string[];
  gpu?: Gpu | null;
  image?: string | null;
  cache?: boolean | null;
}

const EDITOR_KEYWORDS = new Set(['prev', 'deps', 'gpu', 'image', 'cache']);

function isManagedByEditor(tag: string): boolean {
  return roleOf(tag) !== null || EDITOR_KEYWORDS.has(keyword(tag));
}

/** The tags for a cell after an edit, in the standard spelling; unmanaged tags keep their order. */
export function writeTags(existing: readonly string[] | undefined, edit: CellEdit): string[] {
  const out: string[] = [];
  if (edit.role === 'step') {
    if (!edit.step) {
      throw new Error('a step cell needs a step name');
    }
    out.push(`step:${edit.step}`);
  } else if (edit.role !== 'continuation') {
    out.push(edit.role);
  }
  const stepLike = edit.role === 'step' || edit.role === 'continuation';
  if (stepLike) {
    for (const p of edit.prev ?? []) {
      if (p !== edit.step && !out.includes(`prev:${p}`)) {
        out.push(`prev:${p}`);
      }
    }
    if (edit.gpu) {
      out.push(edit.gpu.vendor === 'nvidia' ? `gpu:${edit.gpu.count}` : `gpu:${edit.gpu.count}:${edit.gpu.vendor}`);
    }
    if (edit.image) {
      out.push(`image:${edit.image}`);
    }
    if (edit.cache === true || edit.cache === false) {
      out.push(`cache:${edit.cache ? 'enabled' : 'disabled'}`);
    }
  }
  for (const t of existing ?? []) {
    if (t !== '' && !isManagedByEditor(t) && (stepLike || !isStepSetting(t))) {
      out.push(t);
    }
  }
  return out;
}

function isStepSetting(tag: string): boolean {
  return ['limit', 'gpu', 'image', 'annotation', 'label', 'cache', 'secret', 'retry', 'timeout', 'prev', 'deps'].includes(
    keyword(tag)
  );
}

/**
 * Renames step `from` to `to` in one cell's tags: `step:`/`block:` naming it and every `prev:`/`deps:`
 * reference. Returns the same array when nothing changes.
 */
export function renameInTags(tags: readonly string[], from: string, to: string): string[] {
  let changed = false;
  const out = tags.map(t => {
    const k = keyword(t);
    if ((k === 'step' || k === 'block') && value(t) === from) {
      changed = true;
      return `${k}:${to}`;
    }
    if (k === 'prev' || k === 'deps') {
      const names = value(t).split(',').map(n => n.trim());
      if (names.includes(from)) {
        changed = true;
        const renamed = names.map(n => (n === from ? to : n)).filter((n, i, a) => a.indexOf(n) === i);
        return `${k}:${renamed.join(',')}`;
      }
    }
    return t;
  });
  return changed ? out : (tags as string[]);
}

/** Removes every `prev:`/`deps:` reference to `step` from one cell's tags (a deps: list keeps the others). */
export function removeReferencesInTags(tags: readonly string[], step: string): string[] {
  let changed = false;
  const out: string[] = [];
  for (const t of tags) {
    const k = keyword(t);
    if (k === 'prev' || k === 'deps') {
      const names = value(t).split(',').map(n => n.trim());
      if (names.includes(step)) {
        changed = true;
        const kept = names.filter(n => n !== step);
        if (kept.length > 0) {
          out.push(`${k}:${kept.join(',')}`);
        }
        continue;
      }
    }
    out.push(t);
  }
  return changed ? out : (tags as string[]);
}

// ---- the whole notebook -------------------------------------------------------------------

export interface CellInfo {
  /** 'code' | 'markdown' | 'raw' */
  type: string;
  tags: readonly string[];
  /** Only used to decide whether an orphan untagged cell is a problem (blank cells are not). */
  source?: string;
}

export interface ResolvedCell extends CellAnnotation {
  index: number;
  /** The step this code cell belongs to (its own `step:` or the step above for an untagged cell). */
  stepOf?: string;
  /** True for the first cell of a step (the one whose header shows the step's settings). */
  first: boolean;
}

export interface StepInfo {
  name: string;
  /** Cell indexes, in order. */
  cells: number[];
  /** Explicit dependencies of all the step's cells, in order. */
  prev: string[];
  gpu?: Gpu;
}

export interface NotebookAnalysis {
  /** One entry per cell (markdown/raw cells have role 'skip'-like `type` checks left to callers). */
  cells: (ResolvedCell | null)[];
  steps: Map<string, StepInfo>;
  /** Problems with the notebook, each with the cell index it belongs to (-1 for the notebook). */
  problems: { cell: number; message: string }[];
}

/** Groups cells into steps the way the compiler does, and lists problems like the CLI's validation. */
export function analyse(cells: readonly CellInfo[]): NotebookAnalysis {
  const out: (ResolvedCell | null)[] = [];
  const steps = new Map<string, StepInfo>();
  const problems: { cell: number; message: string }[] = [];
  let current: string | undefined;
  cells.forEach((c, index) => {
    if (c.type !== 'code') {
      out.push(null);
      return;
    }
    const a = parseTags(c.tags);
    for (const e of a.errors) {
      problems.push({ cell: index, message: e });
    }
    let stepOf: string | undefined;
    let first = false;
    if (a.role === 'step' && a.step && isValidStepName(a.step)) {
      current = a.step;
      stepOf = a.step;
    } else if (a.role === 'continuation') {
      stepOf = current;
      if (current === undefined && (c.source ?? 'x').trim() !== '') {
        problems.push({
          cell: index,
          message: 'this code cell belongs to no step: tag it step:<name>, imports, functions, pipeline-parameters or skip'
        });
      }
    }
    if (stepOf !== undefined) {
      let s = steps.get(stepOf);
      if (!s) {
        s = { name: stepOf, cells: [], prev: [] };
        steps.set(stepOf, s);
        first = true;
      }
      s.cells.push(index);
      for (const p of a.prev) {
        if (!s.prev.includes(p)) {
          s.prev.push(p);
        }
      }
      if (a.settings.gpu) {
        s.gpu = a.settings.gpu;
      }
    }
    out.push({ ...a, index, stepOf, first });
  });
  for (const s of steps.values()) {
    for (const p of s.prev) {
      const where = s.cells.find(i => out[i]?.prev.includes(p)) ?? s.cells[0];
      if (p === s.name) {
        problems.push({ cell: where, message: `tag "prev:${p}": a step cannot depend on itself` });
      } else if (!steps.has(p)) {
        const names = [...steps.keys()];
        const near = names
          .map(n => ({ n, d: levenshtein(n, p) }))
          .filter(x => x.d <= Math.max(2, Math.floor(p.length / 3)))
          .sort((x, y) => x.d - y.d)[0];
        problems.push({
          cell: where,
          message:
            `tag "prev:${p}": no step is named "${p}"` +
            (near ? `; did you mean "prev:${near.n}"?` : `; steps are: ${names.join(', ')}`)
        });
      }
    }
  }
  const cycle = findCycle(steps);
  if (cycle) {
    problems.push({
      cell: steps.get(cycle[0])!.cells[0],
      message: `the steps' dependencies form a cycle: ${cycle.join(' -> ')}`
    });
  }
  if (steps.size === 0 && cells.some(c => c.type === 'code')) {
    problems.push({ cell: -1, message: 'no steps: tag a code cell with step:<name> (or Kale\'s block:<name>)' });
  }
  return { cells: out, steps, problems };
}

function findCycle(steps: Map<string, StepInfo>): string[] | null {
  const state = new Map<string, number>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const p of steps.get(n)?.prev ?? []) {
      if (!steps.has(p) || p === n) {
        continue;
      }
      if (state.get(p) === 1) {
        return [...stack.slice(stack.indexOf(p)), p];
      }
      if (!state.has(p)) {
        const c = visit(p);
        if (c) {
          return c;
        }
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of steps.keys()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) {
        return c;
      }
    }
  }
  return null;
}

// ---- colours ------------------------------------------------------------------------------

/** Border colours for steps: mid-tone hues readable on light and dark themes. */
export const PALETTE = [
  '#1f77b4', '#e6550d', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#637939'
];

/** Colours by first appearance in the notebook: the first ten steps all differ, then the palette repeats. */
export function stepColours(stepOrder: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of stepOrder) {
    if (!out.has(s)) {
      out.set(s, PALETTE[out.size % PALETTE.length]);
    }
  }
  return out;
}

/** A name that is valid and not among `taken`, based on `base`. */
export function uniqueStepName(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const b = isValidStepName(base) ? base : suggestStepName(base);
  if (!used.has(b)) {
    return b;
  }
  for (let i = 2; ; i++) {
    if (!used.has(`${b}_${i}`)) {
      return `${b}_${i}`;
    }
  }
}
