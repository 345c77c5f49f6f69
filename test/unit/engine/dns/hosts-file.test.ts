import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readHostsFile } from '../../../../src/engine/dns/hosts-file.js'

describe('readHostsFile', () => {
  it('maps every alias to its addresses, ignoring comments and blank lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hosts-'))
    const path = join(dir, 'hosts')
    await writeFile(path, '# comment\n127.0.0.1 localhost\n10.0.0.5  Trunk trunk.example.net # the carrier\n\n::1 localhost\n')
    const hosts = readHostsFile(path)
    expect(hosts.get('trunk')).toEqual(['10.0.0.5'])
    expect(hosts.get('trunk.example.net')).toEqual(['10.0.0.5'])
    expect(hosts.get('localhost')).toEqual(['127.0.0.1', '::1'])
  })

  it('gives no names when the file cannot be read', () => {
    expect(readHostsFile('/nonexistent/hosts').size).toBe(0)
  })
})
