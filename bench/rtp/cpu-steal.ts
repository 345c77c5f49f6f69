import { readFileSync } from 'node:fs'

/**
 * Whole-machine CPU time from /proc/stat (Linux; zeros elsewhere), read around a run:
 * `busyPercent` is what every process (and the kernel) used, `stealPercent` the time the
 * hypervisor gave this VM's CPUs to someone else. Both are % of ALL cores (2 cores =
 * 200 %). Steal explains an engine that is runnable yet late although the box looks idle.
 */
export interface CpuTicks {
  busy: number
  steal: number
  total: number
}

export function readCpuTicks(): CpuTicks {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] // cpu user nice system idle iowait irq softirq steal ...
    const v = line.trim().split(/\s+/).slice(1).map(Number)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
    const idle = v[3] + v[4]
    return { busy: total - idle - v[7], steal: v[7], total }
  } catch {
    return { busy: 0, steal: 0, total: 0 }
  }
}

/** busy and steal between two readings, in % of all cores */
export function cpuShare(a: CpuTicks, b: CpuTicks, cores: number): { busyPercent: number; stealPercent: number } {
  const total = b.total - a.total
  if (total <= 0) return { busyPercent: 0, stealPercent: 0 }
  return { busyPercent: +(((b.busy - a.busy) / total) * 100 * cores).toFixed(1), stealPercent: +(((b.steal - a.steal) / total) * 100 * cores).toFixed(1) }
}
