import { readFileSync } from 'node:fs'

/**
 * Names from a hosts file (`/etc/hosts` by default): address → names lines, `#` comments.
 * A-record lookups consult it first, as the system resolver's "files, then dns" order
 * and sofia's resolver (sres reads the hosts file too) do, so a trunk named in
 * /etc/hosts (a container's `extra_hosts`) resolves as it did with the OS lookup.
 * A file that cannot be read gives no names.
 */
export function readHostsFile(path = '/etc/hosts'): Map<string, string[]> {
  const names = new Map<string, string[]>()
  let text = ''
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return names
  }
  for (const raw of text.split('\n')) {
    const [address, ...aliases] = raw.replace(/#.*/, '').trim().split(/\s+/)
    if (!address || aliases.length === 0) continue
    for (const name of aliases) {
      const key = name.toLowerCase()
      const list = names.get(key) ?? []
      if (!list.includes(address)) list.push(address)
      names.set(key, list)
    }
  }
  return names
}
