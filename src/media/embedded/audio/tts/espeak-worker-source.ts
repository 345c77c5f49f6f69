/**
 * The body of the eSpeak NG worker thread, as source text: it runs with `eval: true`
 * so it needs no build step and works the same under tsx, vitest and plain node.
 *
 * The `espeak-ng` package is eSpeak NG compiled by Emscripten as a command-line program:
 * each synthesis instantiates the module (the voice data is embedded in the WASM),
 * writes the text to its in-memory FS, lets main() run `espeak-ng -w /out.wav -f /in.txt`
 * and reads the WAV back (22 050 Hz mono 16-bit). The compiled WebAssembly.Module is
 * kept, so only instantiation (~0.3 s) and synthesis are paid per prompt — here, off the
 * main thread. Emscripten's `quit` is overridden: by default it sets process.exitCode.
 *
 * Protocol: in {id, text, voice}; out {id, ok: true, wav} | {id, ok: false, status, log}.
 */
export const ESPEAK_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads')
const { readFileSync } = require('node:fs')
let compiled
let factory
let queue = Promise.resolve()

async function synthesize(job) {
  const log = []
  let status = 0
  try {
    factory ??= import(workerData.jsUrl).then((m) => m.default, (e) => { factory = undefined; throw e })
    compiled ??= WebAssembly.compile(readFileSync(workerData.wasmPath)).catch((e) => { compiled = undefined; throw e })
    const [ESpeakNg, mod] = await Promise.all([factory, compiled])
    let failInstantiate
    const instantiateFailed = new Promise((_, reject) => { failInstantiate = reject })
    const M = await Promise.race([
      ESpeakNg({
        arguments: ['-w', '/out.wav', '-v', job.voice, '-f', '/in.txt'],
        preRun: [(m) => m.FS.writeFile('/in.txt', job.text)],
        instantiateWasm(imports, done) {
          WebAssembly.instantiate(mod, imports).then((i) => done(i, mod), failInstantiate)
          return {}
        },
        print: (s) => log.push(String(s)),
        printErr: (s) => log.push(String(s)),
        quit: (code, e) => { status = code; throw e },
      }),
      instantiateFailed,
    ])
    const exists = M.FS.analyzePath('/out.wav').exists
    const wav = exists ? M.FS.readFile('/out.wav') : undefined
    if (status !== 0 || !wav) {
      parentPort.postMessage({ id: job.id, ok: false, status, log })
    } else {
      parentPort.postMessage({ id: job.id, ok: true, wav }, [wav.buffer])
    }
  } catch (e) {
    log.push(String((e && e.stack) || e))
    parentPort.postMessage({ id: job.id, ok: false, status: -1, log })
  }
}

parentPort.on('message', (job) => {
  queue = queue.then(() => synthesize(job))
})
`
