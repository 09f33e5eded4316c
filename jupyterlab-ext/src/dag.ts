/** DAG layout for the run view: layers by longest path from the roots. No JupyterLab imports. */

export interface DagNode {
  name: string;
  deps: string[];
}

export interface PlacedNode {
  name: string;
  layer: number;
  /** Position within the layer. */
  slot: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  edges: { from: string; to: string }[];
  width: number;
  height: number;
}

export const NODE_W = 190;
export const NODE_H = 54;
const GAP_X = 36;
const GAP_Y = 46;
const PAD = 16;

export function layout(nodes: readonly DagNode[]): Layout {
  const byName = new Map(nodes.map(n => [n.name, n]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (n: string): number => {
    if (layer.has(n)) {
      return layer.get(n)!;
    }
    if (visiting.has(n)) {
      return 0; // a cycle: the compiler rejects these; draw something anyway
    }
    visiting.add(n);
    let d = 0;
    for (const p of byName.get(n)?.deps ?? []) {
      if (byName.has(p)) {
        d = Math.max(d, depth(p) + 1);
      }
    }
    visiting.delete(n);
    layer.set(n, d);
    return d;
  };
  nodes.forEach(n => depth(n.name));
  const layers: string[][] = [];
  for (const n of nodes) {
    const l = layer.get(n.name)!;
    (layers[l] ??= []).push(n.name);
  }
  const widest = Math.max(1, ...layers.map(l => l.length));
  const width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X;
  const placed = new Map<string, PlacedNode>();
  layers.forEach((names, l) => {
    const rowWidth = names.length * NODE_W + (names.length - 1) * GAP_X;
    const x0 = (width - rowWidth) / 2;
    names.forEach((name, slot) => {
      placed.set(name, { name, layer: l, slot, x: x0 + slot * (NODE_W + GAP_X), y: PAD + l * (NODE_H + GAP_Y) });
    });
  });
  const edges: { from: string; to: string }[] = [];
  for (const n of nodes) {
    for (const p of n.deps) {
      if (byName.has(p)) {
        edges.push({ from: p, to: n.name });
      }
    }
  }
  return { nodes: placed, edges, width, height: PAD * 2 + layers.length * NODE_H + Math.max(0, layers.length - 1) * GAP_Y };
}

/** "1.2 s", "3 min 4 s", "1 h 2 min". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || ms < 0 || !isFinite(ms)) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const s = ms / 1000;
  if (s < 60) {
    return `${s.toFixed(1)} s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m} min ${Math.round(s - m * 60)} s`;
  }
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
