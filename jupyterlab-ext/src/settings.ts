/**
 * Notebook-level settings in `metadata.kubeflow_notebook`, with Kale's key names
 * (pipeline_name, experiment_name, pipeline_description, docker_image, volumes, steps_defaults,
 * snapshot_volumes, katib_run, katib_metadata). kale4j adds `enabled` and `target`.
 * No JupyterLab imports: unit-tested with Jest.
 */

export type Target = 'local' | 'argo' | 'kfp';

export const TARGET_LABELS: Record<Target, string> = {
  local: 'Local',
  argo: 'Argo',
  kfp: 'Kubeflow Pipelines'
};

/** One entry of the panel's Target list. */
export interface TargetChoice {
  value: Target;
  label: string;
  disabled: boolean;
  /** Why it cannot be chosen (the kernel's reason), as a tooltip. */
  title?: string;
}

/**
 * The panel's Target list from what the kernel reports (`targets`): Local always; Argo and Kubeflow Pipelines
 * enabled when available, else disabled with the kernel's reason. `value` is the target to select: the saved one
 * when it is available, else Local. `hint` says why only Local can be used, when that is the case.
 */
export function targetChoices(
  targets: { available: string[]; reasons?: Record<string, string> } | null,
  saved: Target
): { choices: TargetChoice[]; value: Target; hint?: string } {
  const available = new Set(['local', ...(targets?.available ?? [])]);
  const choices = (['local', 'argo', 'kfp'] as Target[]).map(t => {
    const ok = available.has(t);
    const why = ok ? undefined : targets?.reasons?.[t];
    return { value: t, label: TARGET_LABELS[t] + (ok ? '' : ' (not available)'), disabled: !ok, ...(why ? { title: why } : {}) };
  });
  const value = available.has(saved) ? saved : 'local';
  if (available.has('argo') || available.has('kfp')) {
    return { choices, value };
  }
  const why = targets?.reasons?.argo;
  return { choices, value, hint: 'Runs locally.' + (why ? ` Argo: ${why}` : ' Argo and Kubeflow Pipelines need a cluster.') };
}

export interface Volume {
  type: 'pvc' | 'new_pvc';
  name: string;
  mount_point: string;
  size?: number;
  size_type?: string;
  annotations?: unknown[];
  snapshot?: boolean;
  snapshot_name?: string;
}

export interface KatibParameter {
  name: string;
  /** Optional: kale4j derives it from the parameters cell. */
  parameterType?: 'int' | 'double' | 'categorical' | 'discrete';
  feasibleSpace: { min?: string; max?: string; step?: string; list?: string[] };
}

export interface KatibMetadata {
  parameters: KatibParameter[];
  objective: { type: 'maximize' | 'minimize'; objectiveMetricName: string; goal?: number };
  algorithm: { algorithmName: string };
  maxTrialCount: number;
  maxFailedTrialCount: number;
  parallelTrialCount: number;
}

export const KATIB_ALGORITHMS = ['random', 'grid', 'bayesianoptimization'];

export interface PipelineSettings {
  enabled: boolean;
  pipeline_name: string;
  experiment_name: string;
  pipeline_description: string;
  target: Target;
  docker_image: string;
  volumes: Volume[];
  snapshot_volumes: boolean;
  steps_defaults: string[];
  katib_run: boolean;
  katib_metadata: KatibMetadata;
}

export function defaultKatib(): KatibMetadata {
  return {
    parameters: [],
    objective: { type: 'minimize', objectiveMetricName: '' },
    algorithm: { algorithmName: 'random' },
    maxTrialCount: 12,
    maxFailedTrialCount: 3,
    parallelTrialCount: 3
  };
}

function str(v: unknown, d = ''): string {
  return typeof v === 'string' ? v : d;
}

function num(v: unknown, d: number): number {
  return typeof v === 'number' && isFinite(v) ? v : d;
}

/** Reads settings from `metadata.kubeflow_notebook` (may be undefined); `fileName` names the default pipeline. */
export function readSettings(raw: any, fileName: string): PipelineSettings {
  const k = raw && typeof raw === 'object' ? raw : {};
  const katib = k.katib_metadata && typeof k.katib_metadata === 'object' ? k.katib_metadata : {};
  const d = defaultKatib();
  const target = str(k.target, 'local');
  return {
    enabled: k.enabled !== false,
    pipeline_name: str(k.pipeline_name) || defaultPipelineName(fileName),
    experiment_name: str(k.experiment_name) || str(k.experiment?.name),
    pipeline_description: str(k.pipeline_description),
    target: (['local', 'argo', 'kfp'].includes(target) ? target : 'local') as Target,
    docker_image: str(k.docker_image),
    volumes: Array.isArray(k.volumes) ? k.volumes : [],
    snapshot_volumes: k.snapshot_volumes !== false,
    steps_defaults: Array.isArray(k.steps_defaults) ? k.steps_defaults.filter((t: unknown) => typeof t === 'string') : [],
    katib_run: k.katib_run === true,
    katib_metadata: {
      parameters: Array.isArray(katib.parameters) ? katib.parameters : [],
      objective: {
        type: katib.objective?.type === 'maximize' ? 'maximize' : 'minimize',
        objectiveMetricName: str(katib.objective?.objectiveMetricName),
        ...(typeof katib.objective?.goal === 'number' ? { goal: katib.objective.goal } : {})
      },
      algorithm: { algorithmName: str(katib.algorithm?.algorithmName, d.algorithm.algorithmName) },
      maxTrialCount: num(katib.maxTrialCount, d.maxTrialCount),
      maxFailedTrialCount: num(katib.maxFailedTrialCount, d.maxFailedTrialCount),
      parallelTrialCount: num(katib.parallelTrialCount, d.parallelTrialCount)
    }
  };
}

/** The object to store as `metadata.kubeflow_notebook`: keeps keys kale4j does not edit. */
export function writeSettings(previous: any, s: PipelineSettings): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(previous && typeof previous === 'object' ? previous : {}) };
  out.enabled = s.enabled;
  out.pipeline_name = s.pipeline_name;
  out.experiment_name = s.experiment_name;
  out.pipeline_description = s.pipeline_description;
  out.target = s.target;
  out.docker_image = s.docker_image;
  out.volumes = s.volumes;
  out.snapshot_volumes = s.snapshot_volumes;
  out.steps_defaults = s.steps_defaults;
  out.katib_run = s.katib_run;
  out.katib_metadata = s.katib_metadata;
  delete out.experiment;
  return out;
}

/** Kubernetes-friendly pipeline name from a notebook file name: "Word Stats.ipynb" -> "word-stats". */
export function defaultPipelineName(fileName: string): string {
  const base = fileName.replace(/^.*\//, '').replace(/\.ipynb$/, '');
  const s = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'pipeline';
}

/** Why a pipeline name is not usable, or null. */
export function pipelineNameProblem(name: string): string | null {
  if (name.trim() === '') {
    return 'the pipeline name is empty';
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    return 'use lowercase letters, digits and "-" (starting and ending with a letter or digit)';
  }
  return null;
}

export interface ParameterDecl {
  name: string;
  type: string;
  value: string;
}

/** Pipeline parameters declared in a pipeline-parameters cell: `int top = 2;`, `double lr = 0.05;` ... */
export function parseParameters(source: string): ParameterDecl[] {
  const out: ParameterDecl[] = [];
  const re = /^\s*(?:final\s+)?(int|long|double|float|boolean|String|var|Integer|Long|Double|Float|Boolean)\s+([A-Za-z_$][\w$]*)\s*=\s*([^;]*);/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source)) !== null) {
    out.push({ type: m[1], name: m[2], value: m[3].trim() });
  }
  return out;
}

/** The Katib parameter type for a Java parameter type. */
export function katibTypeOf(javaType: string): 'int' | 'double' | 'categorical' {
  switch (javaType) {
    case 'int':
    case 'long':
    case 'Integer':
    case 'Long':
      return 'int';
    case 'double':
    case 'float':
    case 'Double':
    case 'Float':
      return 'double';
    default:
      return 'categorical';
  }
}
