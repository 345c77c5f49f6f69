import { readFile, writeFile } from 'node:fs/promises'

/**
 * Replace (or append) one `## heading` section of a Markdown file, leaving every other
 * section as it is: several benchmarks write their own section of docs/benchmarks.md.
 */
export async function writeDocSection(file: string, heading: string, body: string): Promise<void> {
  let text = ''
  try {
    text = await readFile(file, 'utf8')
  } catch {
    text = '# Benchmarks\n\nMeasured numbers, and the commands that produced them (`npm run bench`).\n'
  }
  const section = `${heading}\n\n${body.trim()}\n`
  const start = text.indexOf(`${heading}\n`)
  if (start < 0) {
    await writeFile(file, `${text.trimEnd()}\n\n${section}`)
    return
  }
  const next = text.indexOf('\n## ', start + heading.length)
  const end = next < 0 ? text.length : next + 1
  const after = text.slice(end)
  await writeFile(file, `${text.slice(0, start)}${section}${after ? `\n${after}` : ''}`)
}
