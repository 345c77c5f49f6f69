// npm's install step: builds native/rtp_io.c (the media engine's batched UDP I/O, Linux
// only) with node-gyp, which npm puts on PATH for lifecycle scripts. It is an
// accelerator: where it cannot be built (no compiler, another OS) the install still
// succeeds, says so loudly, and livecall runs on Node's dgram sockets
// (src/media/embedded/rtp/create-rtp-io.ts chooses at run time; /health reports which).
// The test suite asserts the native layer on Linux, so CI notices a broken build.
import { spawnSync } from 'node:child_process'

if (process.platform !== 'linux') {
  console.log(`livecall: no native RTP I/O on ${process.platform}; the media engine uses Node's dgram sockets`)
  process.exit(0)
}
const run = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: false })
if (run.error || run.status !== 0) {
  const why = run.error ? `cannot run node-gyp (${run.error.message})` : `node-gyp failed (exit ${run.status})`
  console.warn(`livecall: WARNING: native RTP I/O not built: ${why}. Needs python3, make and g++.`)
  console.warn('livecall: the media engine will use Node dgram sockets (about half the RTP capacity).')
}
