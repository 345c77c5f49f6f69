// npm's install step: builds native/rtp_io.c (the media engine's batched UDP I/O, Linux
// only) with node-gyp, which npm puts on PATH for lifecycle scripts. Elsewhere livecall
// runs on Node's dgram sockets (src/media/embedded/rtp/rtp-io.ts chooses at run time).
import { spawnSync } from 'node:child_process'

if (process.platform !== 'linux') {
  console.log(`livecall: no native RTP I/O on ${process.platform}; the media engine uses Node's dgram sockets`)
  process.exit(0)
}
const run = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: false })
if (run.error) {
  console.error(`livecall: cannot run node-gyp (${run.error.message}); run "npm install" so npm provides it`)
  process.exit(1)
}
process.exit(run.status ?? 1)
