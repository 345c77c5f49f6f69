// livecall console: calls in progress from the event stream, actions through the control API.
// Everything that came from the network is rendered with textContent, never as HTML.

const FINAL = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled'])
const STORE = { account: 'livecall.account', key: 'livecall.key' }

/** @type {Map<string, any>} call descriptions in progress, by call_sid */
const calls = new Map()
/** calls the stream reported ended (a late list answer must not bring them back) */
const ended = new Set()
let selected = null
let source = null

const $ = (id) => document.getElementById(id)

function credentials() {
  const account = sessionStorage.getItem(STORE.account)
  const key = sessionStorage.getItem(STORE.key)
  return account && key ? { account, key } : null
}

function base(c) {
  return `/v1/Accounts/${encodeURIComponent(c.account)}`
}

function setConnection(state, text) {
  const el = $('connection')
  el.dataset.state = state
  el.textContent = text
}

function showLogin(message) {
  if (source) source.close()
  source = null
  $('main').hidden = true
  $('forget').hidden = true
  $('login').hidden = false
  const params = new URLSearchParams(location.search)
  if (!$('account').value) $('account').value = sessionStorage.getItem(STORE.account) ?? params.get('account') ?? ''
  setConnection(message ? 'error' : 'idle', message ?? 'not connected')
}

/** the call as the stream or the list described it */
function apply(call) {
  if (FINAL.has(call.call_status)) {
    ended.add(call.call_sid)
    calls.delete(call.call_sid)
  } else {
    calls.set(call.call_sid, call)
  }
}

function durationOf(call) {
  if (!call.answer_time) return '–'
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(call.answer_time)) / 1000))
  const mm = String(Math.floor(s / 60)).padStart(2, '0')
  const ss = String(s % 60).padStart(2, '0')
  return `${mm}:${ss}`
}

function cell(tr, text, className) {
  const td = document.createElement('td')
  td.textContent = text
  if (className) td.className = className
  tr.append(td)
  return td
}

/** parents by start time, each followed by its dialed legs */
function ordered() {
  const byStart = (a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0)
  const all = [...calls.values()].sort(byStart)
  const roots = all.filter((c) => !c.parent_call_sid || !calls.has(c.parent_call_sid))
  return roots.flatMap((p) => [p, ...all.filter((c) => c.parent_call_sid === p.call_sid)])
}

function render() {
  const rows = ordered().map((call) => {
    const tr = document.createElement('tr')
    tr.dataset.callSid = call.call_sid
    if (call.parent_call_sid && calls.has(call.parent_call_sid)) tr.classList.add('child')
    if (call.call_sid === selected) tr.classList.add('selected')
    const state = cell(tr, call.call_status, 'state')
    state.dataset.status = call.call_status
    cell(tr, call.direction, 'direction')
    cell(tr, call.from, 'from')
    cell(tr, call.to, 'to')
    cell(tr, call.caller_name ?? '', 'name')
    cell(tr, durationOf(call), 'duration')
    cell(tr, call.call_sid, 'sid')
    tr.addEventListener('click', () => select(call.call_sid))
    return tr
  })
  $('call-rows').replaceChildren(...rows)
  $('count').textContent = String(calls.size)
  $('empty').hidden = calls.size > 0
  if (selected && !calls.has(selected)) select(null)
  else if (selected) summarize()
}

function tick() {
  for (const tr of $('call-rows').children) {
    const call = calls.get(tr.dataset.callSid)
    const td = tr.querySelector('td.duration')
    if (call && td) td.textContent = durationOf(call)
  }
}

function summarize() {
  const call = calls.get(selected)
  if (!call) return
  const leg = call.parent_call_sid ? 'dialed leg' : 'caller leg'
  $('selected-summary').textContent = `${leg}, ${call.direction}, ${call.from} → ${call.to}, ${call.call_status}`
}

function select(sid) {
  selected = sid
  $('actions').hidden = !sid
  $('selected-sid').textContent = sid ?? ''
  if (sid) {
    // a new choice clears the last answer; a call that left keeps it (e.g. "Hang up: done")
    $('result').textContent = ''
    delete $('result').dataset.outcome
  }
  for (const tr of $('call-rows').children) tr.classList.toggle('selected', tr.dataset.callSid === sid)
  if (sid) summarize()
}

async function connect() {
  const c = credentials()
  if (!c) return showLogin()
  $('login').hidden = true
  $('main').hidden = false
  $('forget').hidden = false
  setConnection('idle', 'connecting…')
  // the stream first, then the list: nothing that happens in between is missed
  source = new EventSource(`${base(c)}/Events?api_key=${encodeURIComponent(c.key)}`)
  source.onopen = () => setConnection('live', 'live')
  source.onerror = () => {
    if (source && source.readyState === EventSource.CLOSED) setConnection('error', 'event stream refused: check the key, then reload')
    else setConnection('error', 'reconnecting…')
  }
  source.onmessage = (m) => {
    const e = JSON.parse(m.data)
    if (e.type === 'state') {
      apply(e.call)
      render()
    }
  }
  const res = await fetch(`${base(c)}/Calls`, { headers: { authorization: `Bearer ${c.key}` } })
  if (res.status === 401) {
    sessionStorage.removeItem(STORE.key)
    return showLogin('the API key was refused (401)')
  }
  if (!res.ok) return setConnection('error', `listing calls failed: ${res.status}`)
  for (const call of await res.json()) if (!ended.has(call.call_sid) && !calls.has(call.call_sid)) apply(call)
  render()
}

/** what each button sends: [method, body] (DELETE has no body) */
function requestFor(action) {
  switch (action) {
    case 'hangup': return ['DELETE']
    case 'hold': {
      const wait = $('wait-hook').value.trim()
      return ['PUT', wait ? { hold_status: 'hold', wait_hook: wait } : { hold_status: 'hold' }]
    }
    case 'unhold': return ['PUT', { hold_status: 'unhold' }]
    case 'mute': return ['PUT', { mute_status: 'mute' }]
    case 'unmute': return ['PUT', { mute_status: 'unmute' }]
    case 'whisper': return ['PUT', { whisper: { verb: 'say', text: $('whisper-text').value } }]
    case 'listen-pause': return ['PUT', { listen_status: 'pause' }]
    case 'listen-resume': return ['PUT', { listen_status: 'resume' }]
    case 'record-start': return ['PUT', { record: { action: 'start' } }]
    case 'record-stop': return ['PUT', { record: { action: 'stop' } }]
    case 'redirect': return ['PUT', { call_hook: $('redirect-url').value.trim() }]
    default: throw new Error(`unknown action ${action}`)
  }
}

function showResult(outcome, text) {
  const el = $('result')
  el.dataset.outcome = outcome
  el.textContent = text
}

async function act(action, label) {
  const c = credentials()
  const sid = selected
  if (!c || !sid) return
  const [method, body] = requestFor(action)
  showResult('pending', `${label}…`)
  let res
  try {
    res = await fetch(`${base(c)}/Calls/${encodeURIComponent(sid)}`, {
      method,
      headers: body ? { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' } : { authorization: `Bearer ${c.key}` },
      body: body ? JSON.stringify(body) : undefined,
    })
  } catch (err) {
    return showResult('refused', `${label} failed: ${err.message}`)
  }
  if (res.ok) {
    const answer = res.status === 200 ? await res.json().catch(() => null) : null
    const path = answer?.recording?.path
    return showResult('ok', path ? `${label}: done (${path})` : `${label}: done`)
  }
  const answer = await res.json().catch(() => null)
  const error = answer?.error
  const reason = error ? `${error.message} (${error.code})` : res.statusText
  showResult('refused', `${label} refused: ${res.status} ${reason}`)
}

function start() {
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault()
    sessionStorage.setItem(STORE.account, $('account').value.trim())
    sessionStorage.setItem(STORE.key, $('key').value)
    $('key').value = ''
    void connect()
  })
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(STORE.key)
    calls.clear()
    select(null)
    render()
    showLogin()
  })
  for (const button of document.querySelectorAll('button[data-action]')) {
    button.addEventListener('click', () => void act(button.dataset.action, button.textContent))
  }
  setInterval(tick, 1000)
  void connect()
}

start()
