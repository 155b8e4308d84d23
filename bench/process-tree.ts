import { readdir, readFile } from 'node:fs/promises';

/** Reads each process's parent from /proc. Processes that exit during the scan are left out. */
async function parentsByProcess(): Promise<Map<number, number>> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name in brackets may contain spaces, so fields are counted from the last ")".
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      continue;
    }
  }
  return parents;
}

/** Returns `root` and every process below it, such as a Node process, its Chromium and Chromium's helpers. */
function treeOf(root: number, parents: Map<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const tree = [root];
  for (let index = 0; index < tree.length; index += 1) tree.push(...(children.get(tree[index]) ?? []));
  return tree;
}

/** Memory of one or more processes in kilobytes. */
export interface MemoryUse {
  /** Resident set size, VmRSS in /proc/<pid>/status. */
  rss: number;
  /** Proportional set size, Pss in /proc/<pid>/smaps_rollup: each shared page is split among the processes that map it. */
  pss: number;
}

/** Reads one process's RSS and PSS; both are 0 once it has exited. */
async function memoryOf(pid: number): Promise<MemoryUse> {
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  try {
    const [status, rollup] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/smaps_rollup`, 'utf8')]);
    return { rss: field(status, 'VmRSS'), pss: field(rollup, 'Pss') };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

/**
 * Samples the summed RSS and PSS of process trees every `intervalMs` and
 * keeps the largest sums per root. The RSS sum counts a page that several
 * processes share, such as Chromium's code, once per process, so it
 * overstates the memory the tree takes. The PSS sum does not. Peaks shorter
 * than the interval can be missed.
 */
export class TreeMemorySampler {
  private readonly peaks = new Map<number, MemoryUse>();
  private timer?: NodeJS.Timeout;
  private sampling = false;

  constructor(
    private readonly roots: number[],
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Summed RSS and PSS of the tree under `root` now. */
  async current(root: number): Promise<MemoryUse> {
    const sizes = await Promise.all(treeOf(root, await parentsByProcess()).map(memoryOf));
    return { rss: sizes.reduce((sum, size) => sum + size.rss, 0), pss: sizes.reduce((sum, size) => sum + size.pss, 0) };
  }

  /** Largest summed RSS and PSS of the tree under `root` seen so far, each the maximum of its own samples. */
  peak(root: number): MemoryUse {
    return this.peaks.get(root) ?? { rss: 0, pss: 0 };
  }

  private async sample(): Promise<void> {
    // A slow scan under load must not pile up behind itself.
    if (this.sampling) return;
    this.sampling = true;
    try {
      const parents = await parentsByProcess();
      for (const root of this.roots) {
        const sizes = await Promise.all(treeOf(root, parents).map(memoryOf));
        const peak = this.peak(root);
        this.peaks.set(root, {
          rss: Math.max(peak.rss, sizes.reduce((sum, size) => sum + size.rss, 0)),
          pss: Math.max(peak.pss, sizes.reduce((sum, size) => sum + size.pss, 0)),
        });
      }
    } finally {
      this.sampling = false;
    }
  }
}
