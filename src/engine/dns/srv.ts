import type { Srv } from './dns-lookup.js'

/**
 * RFC 2782 ("Usage rules"): SRV records in the order to try them. Ascending priority;
 * within one priority, a weighted random order: repeatedly pick a record with
 * probability weight / (sum of the weights left), records of weight 0 first in the list
 * so they are chosen only rarely. A single record with target "." means "no service"
 * and gives nothing. `random` returns [0, 1) (injected by tests).
 */
export function orderSrv(records: Srv[], random: () => number = Math.random): Srv[] {
  if (records.length === 1 && (records[0].name === '.' || records[0].name === '')) return []
  const byPriority = new Map<number, Srv[]>()
  for (const r of records) {
    if (r.name === '.' || r.name === '') continue
    const group = byPriority.get(r.priority) ?? []
    group.push(r)
    byPriority.set(r.priority, group)
  }
  const out: Srv[] = []
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const left = [...byPriority.get(priority)!].sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1))
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + r.weight, 0)
      // RFC 2782: a uniform number in [0, total]; the first record whose running sum reaches it
      const pick = Math.floor(random() * (total + 1))
      let running = 0
      let index = left.length - 1
      for (let i = 0; i < left.length; i++) {
        running += left[i].weight
        if (running >= pick) {
          index = i
          break
        }
      }
      out.push(left.splice(index, 1)[0])
    }
  }
  return out
}
