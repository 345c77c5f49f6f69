import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { g711Encode } from '../../src/media/embedded/codec/g711.js'

/**
 * SIPp scenarios for the live-control bench, written at run time because SIPp's
 * `rtp_stream` action takes a file path that cannot be a scenario variable. Both sides
 * send their own audio (SIPp's RTPSTREAM: a raw PCMU file looped for the whole call, 20 ms
 * packets, one RTP port per call from -min_rtp_port/-max_rtp_port), so every bridged call
 * carries audio both ways through livecall's media engine.
 *
 *  - UAC: INVITE → 200 → ACK → stream → pause `-d` ms → BYE → 200.
 *  - UAS: INVITE → 180 → 200 → ACK → stream → any number of re-INVITEs (each answered 200
 *    with the offer's direction, a=inactive or a=sendrecv as livecall's hold/unhold
 *    send them, RFC 3264 §6.1) → BYE → 200.
 */
export interface BenchScenarios {
  uac: string
  uas: string
}

const SDP = (dir: string) => `
      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000${dir ? `\n      a=${dir}` : ''}
`

function uac(audio: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench-uac-stream-bye">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]
${SDP('')}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      [routes]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <nop><action><exec rtp_stream="${audio},-1,0"/></action></nop>
  <pause/>
  <nop><action><exec rtp_stream="pause"/></action></nop>
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      [routes]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`
}

const OK = (sdpDir: string | null, toTag: boolean) => `
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]${toTag ? ';tag=[pid]SIPpTag01[call_number]' : ''}
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]
${SDP(sdpDir ?? '')}
    ]]>
  </send>`

function uas(audio: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench-uas-stream-reinvites">
  <recv request="INVITE" crlf="true" rrs="true"/>
  <send>
    <![CDATA[

      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
${OK(null, true)}
  <recv request="ACK" rtd="true" crlf="true"/>
  <nop><action><exec rtp_stream="${audio},-1,0"/></action></nop>
  <label id="1"/>
  <recv request="INVITE" optional="true" next="2">
    <action>
      <ereg regexp="a=(sendrecv|inactive|sendonly|recvonly)" search_in="body" check_it="true" assign_to="dline,dir"/>
    </action>
  </recv>
  <recv request="BYE" next="9"/>
  <label id="2"/>
${OK('[$dir]', false)}
  <recv request="ACK" next="1"/>
  <label id="9"/>
  <nop><action><exec rtp_stream="pause"/></action></nop>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <Reference variables="dline"/>
</scenario>
`
}

/** One second of a sine tone as raw PCMU (what rtp_stream loops). */
function toneFile(freq: number): Uint8Array {
  const pcm = new Int16Array(8000)
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * freq * i) / 8000))
  return g711Encode('PCMU', pcm)
}

export async function writeScenarios(dir: string): Promise<BenchScenarios> {
  const uacAudio = join(dir, 'uac-600hz.pcmu')
  const uasAudio = join(dir, 'uas-900hz.pcmu')
  await writeFile(uacAudio, toneFile(600))
  await writeFile(uasAudio, toneFile(900))
  const out = { uac: join(dir, 'bench-uac-stream-bye.xml'), uas: join(dir, 'bench-uas-stream-reinvites.xml') }
  await writeFile(out.uac, uac(uacAudio))
  await writeFile(out.uas, uas(uasAudio))
  return out
}
