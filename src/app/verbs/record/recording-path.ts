import { mkdir, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { appInvalid } from '../verb-errors.js'

/**
 * Checks of a `record` path that need no configuration (at parse time): not empty, no
 * NUL byte, and no `..` segment anywhere (so a relative path can never climb out of the
 * recordings directory). Returns the path as given.
 */
export function checkRecordingPath(path: string): string {
  if (path.trim() === '') throw appInvalid('record path must not be empty')
  if (path.includes('\0')) throw appInvalid('record path must not contain a NUL byte')
  if (path.split(/[\\/]/).includes('..')) throw appInvalid(`record path ${JSON.stringify(path)} must not contain ".."`)
  if (/[\\/]$/.test(path)) throw appInvalid(`record path ${JSON.stringify(path)} names a directory, not a file`)
  return path
}

/** True when `child` is `dir` itself or below it. */
function inside(dir: string, child: string): boolean {
  const rel = relative(dir, child)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/**
 * The file a `record` path names, inside `recordingsDir`: a relative path is resolved
 * against it, an absolute one must already lie inside it (else appInvalid). Creates the
 * missing directories, then checks again on the real (symlink-free) directory, so a
 * symlink inside the recordings directory cannot lead out of it either.
 */
export async function resolveRecordingPath(recordingsDir: string, path: string): Promise<string> {
  checkRecordingPath(path)
  const root = resolve(recordingsDir)
  const target = isAbsolute(path) ? resolve(path) : resolve(root, path)
  if (!inside(root, target) || target === root) throw appInvalid(`record path ${JSON.stringify(path)} is outside the recordings directory`)
  await mkdir(dirname(target), { recursive: true })
  const [realRoot, realParent] = await Promise.all([realpath(root), realpath(dirname(target))])
  if (!inside(realRoot, realParent)) throw appInvalid(`record path ${JSON.stringify(path)} leads outside the recordings directory`)
  return resolve(realParent, relative(dirname(target), target))
}
