import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseMessage } from '../../../../src/engine/message/index.js'
import { Challenges, CHALLENGE_MEMORY_MS } from '../../../../src/engine/proxy/challenges.js'

const challenge = parseMessage(Buffer.from(
  'SIP/2.0 407 Proxy Authentication Required\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\n' +
  'Call-ID: c\r\nCSeq: 1 MESSAGE\r\nProxy-Authenticate: Digest realm="r.test", nonce="n1", algorithm=MD5\r\nContent-Length: 0\r\n\r\n',
))

function retry(realm: string, nonce: string) {
  return parseMessage(Buffer.from(
    'MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 2 MESSAGE\r\n' +
    `Proxy-Authorization: Digest username="alice", realm="${realm}", nonce="${nonce}", uri="sip:b@x", response="00"\r\nContent-Length: 0\r\n\r\n`,
  ))
}

describe('proxy challenge memory (drachtio-server addChallenge / isResponseToChallenge)', () => {
  afterEach(() => vi.useRealTimers())

  it('the retry with credentials for the same realm and nonce goes to the challenger, once', () => {
    const c = new Challenges()
    expect(c.remember(challenge, 'sip:10.0.0.9')).toBe(true)
    expect(c.targetFor(retry('other', 'n1'))).toBeUndefined()
    expect(c.targetFor(retry('r.test', 'n1'))).toBe('sip:10.0.0.9')
    expect(c.targetFor(retry('r.test', 'n1'))).toBeUndefined()
  })

  it('is forgotten after 2 s', () => {
    vi.useFakeTimers()
    const c = new Challenges()
    c.remember(challenge, 'sip:10.0.0.9')
    vi.advanceTimersByTime(CHALLENGE_MEMORY_MS + 1)
    expect(c.targetFor(retry('r.test', 'n1'))).toBeUndefined()
  })
})
