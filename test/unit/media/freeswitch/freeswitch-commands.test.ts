/**
 * The FreeSWITCH adapter against a recorded event-socket conversation: a fake FreeSWITCH
 * on loopback (real TCP, the ESL text protocol) answers drachtio-fsmrf and drachtio-modesl
 * as FreeSWITCH does; each test asserts the exact commands livecall sends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import { FreeswitchMediaEngine, type FreeswitchEndpoint } from '../../../../src/media/freeswitch/index.js'
import { FakeFreeswitch, fakeSrf } from '../../../support/fake-freeswitch.js'

const OFFER = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 30000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n')
const answerFor = (offer?: string): string => (offer ?? OFFER).replace('30000', '20000').replace(/a=sendonly/, 'a=recvonly')

const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms))

let fs: FakeFreeswitch
let engine: FreeswitchMediaEngine
let invites: Array<{ uri: string; localSdp?: string }>
/** how the fake FreeSWITCH answers an SDP (a test may change it) */
let fsAnswers: (offer?: string) => string = answerFor

beforeEach(async () => {
  fs = new FakeFreeswitch('s3cret')
  const port = await fs.listen()
  fsAnswers = answerFor
  const srf = fakeSrf(fs, (offer) => fsAnswers(offer))
  invites = srf.invites
  engine = await FreeswitchMediaEngine.connect({ srf: srf.srf, host: '127.0.0.1', port, secret: 's3cret', listenPort: 0, logger: pino({ level: 'silent' }) })
})

afterEach(async () => {
  await engine.close()
  await fs.close()
})

async function endpoint(): Promise<FreeswitchEndpoint> {
  const ep = await engine.createEndpoint({ remoteSdp: OFFER })
  await tick() // drachtio-fsmrf's own `set codec_string=…` lands before the test's commands
  return ep
}


describe('FreeSWITCH media engine over the event socket', () => {
  it('authenticates with FREESWITCH_SECRET and finds the drachtio_mrf profile', () => {
    expect(fs.authAttempts).toEqual(['auth s3cret'])
    expect(fs.commands).toContain('api sofia status')
  })

  it('createEndpoint INVITEs the drachtio_mrf profile with the offer and answers with the channel SDP', async () => {
    const ep = await endpoint()
    expect(invites).toEqual([{ uri: 'sip:drachtio@127.0.0.1:5080', localSdp: OFFER }])
    expect(ep.localSdp).toBe(answerFor(OFFER))
    expect(ep.id).toBe([...fs.channels.keys()][0])
    // the channel is subscribed to its events and filtered to its own Unique-ID
    expect(fs.commands).toContain(`filter Unique-ID ${ep.id}`)
    expect(fs.commands.some((c) => c.startsWith('event json') && c.includes('DTMF') && c.includes('CHANNEL_EXECUTE_COMPLETE'))).toBe(true)
  })

  it('bridge is uuid_bridge (both legs set to send silence when parked); unbridge parks both legs with uuid_transfer -both park inline', async () => {
    const a = await endpoint()
    const b = await endpoint()
    const from = fs.commands.length
    await a.bridge(b)
    await a.unbridge()
    expect(fs.actions(from)).toEqual([
      // parked (after unbridge) each leg sends silence, not nothing
      `api uuid_setvar ${a.id} send_silence_when_idle -1`,
      `api uuid_setvar ${b.id} send_silence_when_idle -1`,
      `api uuid_bridge ${a.id} ${b.id}`,
      `api uuid_transfer ${a.id} -both park inline`,
    ])
  })

  it('bridge and unbridge resolve only once FreeSWITCH reports them done (bridge_to names the partner / nothing): uuid_bridge answers +OK before the bridge exists', async () => {
    const a = await endpoint()
    const b = await endpoint()
    // FreeSWITCH completes the bridge three polls after uuid_bridge answered
    let polls = 0
    fs.apiReplies.set('uuid_getvar', (args) => {
      polls++
      return args === `${a.id} bridge_to` && polls > 3 ? b.id : '_undef_'
    })
    await a.bridge(b)
    expect(polls).toBe(4)
    const gets = () => fs.commands.filter((c) => c.startsWith('api uuid_getvar'))
    expect(gets().every((c) => c === `api uuid_getvar ${a.id} bridge_to`)).toBe(true)
    // unbridged at once: one poll
    fs.apiReplies.set('uuid_getvar', () => '_undef_')
    const before = gets().length
    await a.unbridge()
    expect(gets().length).toBe(before + 1)
  })

  it('mute receive is the channel read mute, send the write mute; unmute lifts each', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    await ep.mute('receive')
    await ep.mute('send')
    await ep.unmute('both')
    expect(fs.actions(from)).toEqual(['execute set_mute read true', 'execute set_mute write true', 'execute set_mute read false', 'execute set_mute write false'])
  })

  it('hold: setLocalDirection sendonly advertises a=sendonly and mutes what FreeSWITCH reads; unhold lifts it but keeps an API mute', async () => {
    const ep = await endpoint()
    await ep.mute('receive')
    const from = fs.commands.length
    const held = await ep.setLocalDirection('sendonly')
    expect(held).toMatch(/a=sendonly/)
    expect(held).not.toMatch(/a=sendrecv/)
    await ep.setLocalDirection('inactive')
    const back = await ep.setLocalDirection('sendrecv')
    expect(back).toMatch(/a=sendrecv/)
    // read was already muted by the API: only write changes (inactive → not sending), and back
    expect(fs.actions(from)).toEqual(['execute set_mute write true', 'execute set_mute write false'])
  })

  it("unhold offers a=sendrecv although FreeSWITCH's own SDP still says a=sendonly from answering the held far end", async () => {
    const ep = await endpoint()
    const held = await ep.setLocalDirection('sendonly')
    expect(held).toMatch(/a=sendonly/)
    // the far end's answer a=recvonly goes to FreeSWITCH, which answers it a=sendonly (as FreeSWITCH 1.10 does)
    fsAnswers = (offer) => answerFor(offer).replace(/a=recvonly/, 'a=sendonly')
    await ep.setRemoteSdp(OFFER.replace('a=sendrecv', 'a=recvonly'))
    expect(ep.localSdp).toMatch(/a=sendonly/)
    const back = await ep.setLocalDirection('sendrecv')
    expect(back).toMatch(/a=sendrecv/)
    expect(back).not.toMatch(/a=sendonly/)
    fsAnswers = answerFor
  })

  it('a far-end hold offer goes to FreeSWITCH as a re-INVITE and stops FreeSWITCH sending', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    const answer = await ep.setRemoteSdp(OFFER.replace('a=sendrecv', 'a=sendonly'))
    expect(answer).toMatch(/a=recvonly/)
    expect(fs.actions(from)).toEqual(['re-INVITE a=sendonly', 'execute set_mute write true'])
    await ep.setRemoteSdp(OFFER)
    expect(fs.actions(from).slice(2)).toEqual(['re-INVITE a=sendrecv', 'execute set_mute write false'])
  })

  it('play: file, url, tone, silence through playback; say through speak with mod_flite; loop repeats', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    await ep.play({ type: 'file', path: '/sounds/hello.wav' })
    await ep.play({ type: 'url', url: 'https://example.com/a.mp3', loop: 2 })
    await ep.play({ type: 'tone', freqs: [440, 480], onMs: 2000, offMs: 4000, durationMs: 12000 })
    await ep.play({ type: 'silence', durationMs: 750 })
    await ep.play({ type: 'say', text: 'Hello | there\nfriend', voice: 'slt' })
    expect(fs.actions(from)).toEqual([
      'execute playback /sounds/hello.wav',
      'execute playback https://example.com/a.mp3',
      'execute playback https://example.com/a.mp3',
      'execute playback tone_stream://%(2000,4000,440,480);loops=2',
      'execute playback silence_stream://750',
      'execute speak flite|slt|Hello there friend',
    ])
  })

  it('play aborted sends uuid_break and reports aborted', async () => {
    const ep = await endpoint()
    fs.executeScripts.set('playback', { complete: false })
    fs.on('api', (name: string) => {
      if (name === 'uuid_break') fs.channels.get(ep.id)!.completeExecute('playback', { 'Application-Response': 'FILE PLAYED' })
    })
    const from = fs.commands.length
    const ac = new AbortController()
    const playing = ep.play({ type: 'file', path: '/sounds/long.wav', loop: 0 }, ac.signal)
    await tick()
    ac.abort()
    const result = await playing
    expect(result.aborted).toBe(true)
    expect(fs.actions(from)).toEqual(['execute playback /sounds/long.wav', `api uuid_break ${ep.id} all`])
  })

  it('play of a missing file rejects with LIVECALL_ERR_MEDIA_NOT_FOUND', async () => {
    const ep = await endpoint()
    fs.executeScripts.set('playback', { headers: { 'Application-Response': 'FILE NOT FOUND' } })
    await expect(ep.play({ type: 'file', path: '/nope.wav' })).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_NOT_FOUND' })
  })

  it('collectDigits gathers the channel DTMF events until finishOnKey, sending no command', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    const collecting = ep.collectDigits({ maxDigits: 5, finishOnKey: '#', timeoutMs: 2000 })
    const ch = fs.channels.get(ep.id)!
    for (const d of ['1', '2', '#']) ch.event({ 'Event-Name': 'DTMF', 'DTMF-Digit': d, 'DTMF-Duration': '800' })
    expect(await collecting).toEqual({ digits: '12', reason: 'finishOnKey' })
    expect(fs.actions(from)).toEqual([])
  })

  it('collectDigits without maxDigits has no limit: only finishOnKey ends it (as the embedded engine; it stopped after one digit)', async () => {
    const ep = await endpoint()
    const collecting = ep.collectDigits({ finishOnKey: '#', timeoutMs: 2000 })
    const ch = fs.channels.get(ep.id)!
    for (const d of ['5', '6', '7', '#']) ch.event({ 'Event-Name': 'DTMF', 'DTMF-Digit': d, 'DTMF-Duration': '800' })
    expect(await collecting).toEqual({ digits: '567', reason: 'finishOnKey' })
  })

  it('sendDigits is uuid_send_dtmf with the duration; bad digits never reach FreeSWITCH', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    await ep.sendDigits('1w#', { durationMs: 40 })
    expect(fs.actions(from)).toEqual([`api uuid_send_dtmf ${ep.id} 1w#@40`])
    await expect(ep.sendDigits('1x')).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_BAD_DIGITS' })
    expect(fs.actions(from)).toHaveLength(1)
  })

  it('listen is uuid_audio_fork with a bug name for start, pause, resume and stop; the first frame carries metadata, sampleRate and mixType', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    const listen = await ep.startListen({ url: 'ws://127.0.0.1:9999/l', mixType: 'stereo', sampleRate: 16000, metadata: { callSid: 'CA1' } })
    listen.pause()
    listen.resume()
    await listen.stop()
    expect(await listen.done).toEqual({ reason: 'stopped' })
    const actions = fs.actions(from)
    const bug = /\|(livecall_listen_\d+)\|/.exec(actions[0]!)?.[1]
    expect(bug).toBeDefined()
    expect(actions).toEqual([
      `api uuid_audio_fork ^^|${ep.id}|start|ws://127.0.0.1:9999/l|stereo|16000|${bug}|'{"callSid":"CA1","sampleRate":16000,"mixType":"stereo"}'`,
      `api uuid_audio_fork ${ep.id} pause ${bug} blank`,
      `api uuid_audio_fork ${ep.id} resume ${bug}`,
      `api uuid_audio_fork ${ep.id} stop ${bug}`,
    ])
  })

  it('a streamed bidirectional listen adds the enabled|streaming|rate arguments (jambonz mod_audio_fork); any other ends at the metadata', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    const listen = await ep.startListen({ url: 'ws://127.0.0.1:9999/b', sampleRate: 8000, bidirectionalAudio: { enabled: true, streaming: true, sampleRate: 8000 } })
    const [start, ...rest] = fs.actions(from)
    expect(start).toMatch(/\|'\{"sampleRate":8000,"mixType":"mono"\}'\|true\|true\|8000$/)
    // not bridged: parked again with silence when idle, so FreeSWITCH writes the frames the streamed audio replaces
    expect(rest).toEqual([`api uuid_setvar ${ep.id} send_silence_when_idle -1`, `api uuid_transfer ${ep.id} park inline`])
    await listen.stop()
  })

  it('a streamed bidirectional listen on a bridged channel leaves it bridged (the bridge writes frames)', async () => {
    const a = await endpoint()
    const b = await endpoint()
    await a.bridge(b)
    const from = fs.commands.length
    const listen = await a.startListen({ url: 'ws://127.0.0.1:9999/b', sampleRate: 8000, bidirectionalAudio: { enabled: true, streaming: true, sampleRate: 8000 } })
    expect(fs.actions(from)).toHaveLength(1)
    expect(fs.commands.slice(from)).toContain(`api uuid_getvar ${a.id} bridge_to`)
    await listen.stop()
  })

  it('a listen whose websocket cannot be reached (mod_audio_fork::connect_failed) ends', async () => {
    const ep = await endpoint()
    const listen = await ep.startListen({ url: 'ws://127.0.0.1:1/unreachable' })
    fs.channels.get(ep.id)!.event({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'mod_audio_fork::connect_failed' })
    expect(await listen.done).toEqual({ reason: 'closed' })
  })

  it('a listen start FreeSWITCH refuses rejects with its reason', async () => {
    const ep = await endpoint()
    fs.apiReplies.set('uuid_audio_fork', '-ERR no such bug\n')
    await expect(ep.startListen({ url: 'ws://x' })).rejects.toThrow(/-ERR no such bug/)
  })

  it('recording is stereo (RECORD_STEREO), uuid_record start, mask/unmask for pause/resume, stop', async () => {
    const ep = await endpoint()
    const from = fs.commands.length
    const rec = await ep.startRecording({ path: '/recordings/r1.wav' })
    rec.pause()
    rec.resume()
    const stopped = await rec.stop()
    expect(stopped.path).toBe('/recordings/r1.wav')
    expect(fs.actions(from)).toEqual([
      `api uuid_setvar ${ep.id} RECORD_STEREO true`,
      `api uuid_setvar ${ep.id} RECORD_PRE_BUFFER_FRAMES 1`,
      `api uuid_record ${ep.id} start /recordings/r1.wav`,
      `api uuid_record ${ep.id} mask /recordings/r1.wav`,
      `api uuid_record ${ep.id} unmask /recordings/r1.wav`,
      `api uuid_record ${ep.id} stop /recordings/r1.wav`,
    ])
  })

  it('conference: join with flags in the livecall profile; mute/deaf by member id; hold = mute + deaf + wait loop; leave = hup', async () => {
    const ep = await endpoint()
    fs.executeScripts.set('conference', {
      complete: false,
      events: [{ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'conference::maintenance', Action: 'add-member', 'Member-ID': '7', 'Conference-Unique-ID': 'c-1' }],
    })
    const from = fs.commands.length
    const member = await ep.joinConference('room1', { muted: true })
    member.unmute()
    member.hold({ type: 'file', path: '/sounds/wait.wav' })
    await tick()
    // the wait prompt ended: played again while held
    fs.channels.get(ep.id)!.event({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'conference::maintenance', Action: 'play-file-member-done', 'Member-ID': '7' })
    await tick()
    member.unhold()
    await member.leave()
    expect(fs.actions(from)).toEqual([
      // drachtio-fsmrf writes an empty PIN between the two '+'
      'execute conference room1@livecall++flags{mute}',
      'api conference room1 unmute 7',
      'api conference room1 mute 7',
      'api conference room1 deaf 7',
      'api conference room1 play /sounds/wait.wav 7',
      'api conference room1 play /sounds/wait.wav 7',
      'api conference room1 stop all 7',
      'api conference room1 unmute 7',
      'api conference room1 undeaf 7',
      'api conference room1 hup 7',
    ])
  })

  it('a join whose add-member event never reaches livecall ends with LIVECALL_ERR_MEDIA_CLOSED when the endpoint closes, not never', async () => {
    const ep = await endpoint()
    // FreeSWITCH runs `conference` but its add-member event is late (seen: after the caller hung up)
    fs.executeScripts.set('conference', { complete: false, events: [] })
    const joining = ep.joinConference('room1')
    const outcome = joining.then(() => 'joined', (err: { code?: string }) => err.code)
    await tick()
    await ep.close()
    expect(await outcome).toBe('LIVECALL_ERR_MEDIA_CLOSED')
  })

  it('close of a channel whose hangup brings no BYE within 5 s kills it with uuid_kill on livecall\'s own event socket, and the endpoint is closed', async () => {
    const ep = await endpoint()
    fs.byeOnHangup = false
    const kills: Array<{ args: string; onChannelSocket: boolean }> = []
    fs.on('api', (name: string, args: string, channel?: unknown) => {
      if (name === 'uuid_kill') kills.push({ args, onChannelSocket: channel !== undefined })
    })
    try {
      await ep.close()
    } finally {
      fs.byeOnHangup = true
    }
    expect(kills).toEqual([{ args: ep.id, onChannelSocket: false }])
    expect(engine.stats().endpoints).toBe(0)
  }, 15_000)

  it('close hangs the channel up, cascades to a listen, and rejects later calls with LIVECALL_ERR_MEDIA_CLOSED', async () => {
    const ep = await endpoint()
    const listen = await ep.startListen({ url: 'ws://127.0.0.1:9999/l' })
    const from = fs.commands.length
    await ep.close()
    expect(fs.actions(from)).toEqual([expect.stringMatching(/^api uuid_audio_fork \S+ stop livecall_listen_\d+$/), 'execute hangup'])
    expect(await listen.done).toEqual({ reason: 'stopped' })
    expect(ep.closed).toBe(true)
    await expect(ep.mute('both')).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_CLOSED' })
    expect(engine.stats().endpoints).toBe(0)
  })

  it('FreeSWITCH hanging up (RTP timeout) emits timeout and close', async () => {
    const ep = await endpoint()
    const seen: string[] = []
    ep.on('timeout', () => seen.push('timeout'))
    ep.on('close', () => seen.push('close'))
    fs.channels.get(ep.id)!.event({ 'Event-Name': 'CHANNEL_CALLSTATE', 'Channel-Call-State': 'HANGUP', 'Hangup-Cause': 'MEDIA_TIMEOUT' })
    await tick()
    expect(seen).toEqual(['timeout', 'close'])
    expect(ep.closed).toBe(true)
  })
})

describe('FreeSWITCH media engine connection', () => {
  it('a wrong secret is refused', async () => {
    const other = new FakeFreeswitch('right')
    const port = await other.listen()
    await expect(FreeswitchMediaEngine.connect({ srf: {}, host: '127.0.0.1', port, secret: 'wrong', listenPort: 0, connectTimeoutMs: 1000, logger: pino({ level: 'silent' }) })).rejects.toMatchObject({ code: 'LIVECALL_ERR_CONFIG' })
    // drachtio-modesl reconnects and tries again; every attempt carries the configured secret
    expect(new Set(other.authAttempts)).toEqual(new Set(['auth wrong']))
    await other.close()
  }, 10_000)
})
