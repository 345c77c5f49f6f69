import { Type } from '@sinclair/typebox'

/**
 * TypeBox schemas of the native routes: they validate types and feed the OpenAPI
 * description. The combination rules and the unknown-property check are in
 * parse-native-update.ts (additional properties are kept here so that an unknown one
 * is refused by name, never silently dropped).
 */
const HookSchema = Type.Union([
  Type.String({ format: 'uri', description: 'absolute http(s) URL' }),
  Type.Object({
    url: Type.String({ format: 'uri' }),
    method: Type.Optional(Type.String({ enum: ['GET', 'POST', 'get', 'post'] })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
  }),
])

const VerbSchema = Type.Object({ verb: Type.String({ enum: ['say', 'play'] }) }, { additionalProperties: true })

export const AccountParams = Type.Object({ account_sid: Type.String({ minLength: 1, maxLength: 64 }) })
export const CallParams = Type.Object({
  account_sid: Type.String({ minLength: 1, maxLength: 64 }),
  call_sid: Type.String({ minLength: 1, maxLength: 64 }),
})

export const UpdateCallBody = Type.Object({
  call_hook: Type.Optional(HookSchema),
  call_status_hook: Type.Optional(HookSchema),
  child_call_hook: Type.Optional(HookSchema),
  call_status: Type.Optional(Type.String({ enum: ['completed', 'no-answer'] })),
  conf_hold_status: Type.Optional(Type.String({ enum: ['hold', 'unhold'] })),
  wait_hook: Type.Optional(HookSchema),
  conf_mute_status: Type.Optional(Type.String({ enum: ['mute', 'unmute'] })),
  listen_status: Type.Optional(Type.String({ enum: ['pause', 'resume'] })),
  mute_status: Type.Optional(Type.String({ enum: ['mute', 'unmute'] })),
  whisper: Type.Optional(Type.Union([VerbSchema, Type.Array(VerbSchema, { minItems: 1 })])),
  hold_status: Type.Optional(Type.String({ enum: ['hold', 'unhold'], description: 'extension: two-party hold by re-INVITE' })),
  record: Type.Optional(Type.Object({
    action: Type.String({ enum: ['start', 'stop', 'pause', 'resume'] }),
    format: Type.Optional(Type.String({ enum: ['wav', 'mp3'] })),
  }, { description: 'extension: call recording' })),
  sip_request: Type.Optional(Type.Object({
    method: Type.String(),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.String()),
    content: Type.Optional(Type.String({ description: 'jambonz name of body' })),
    content_type: Type.Optional(Type.String({ description: 'the Content-Type of the body (jambonz)' })),
  })),
}, { additionalProperties: true })

export const CreateCallBody = Type.Object({
  from: Type.String({ minLength: 1 }),
  caller_name: Type.Optional(Type.String()),
  to: Type.Object({
    type: Type.String({ enum: ['sip', 'phone', 'user', 'teams'] }),
    sipUri: Type.Optional(Type.String()),
    number: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  }, { additionalProperties: true }),
  call_hook: HookSchema,
  call_status_hook: Type.Optional(HookSchema),
  timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  tag: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: true })

export const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) })

export const CallDescriptionSchema = Type.Object({
  call_sid: Type.String(),
  account_sid: Type.String(),
  direction: Type.String({ enum: ['inbound', 'outbound'] }),
  from: Type.String(),
  to: Type.String(),
  caller_name: Type.String(),
  call_id: Type.String(),
  call_status: Type.String(),
  sip_status: Type.Union([Type.Integer(), Type.Null()]),
  parent_call_sid: Type.Union([Type.String(), Type.Null()]),
  duration: Type.Integer(),
}, { additionalProperties: true })
