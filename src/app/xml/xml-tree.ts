import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { appInvalid } from '../verbs/verb-errors.js'

/** One element of an XML application: its name, attributes, text and child elements, in order. */
export interface XmlElement {
  name: string
  attrs: Record<string, string>
  /** the element's own text (entities decoded, trimmed); '' when none */
  text: string
  children: XmlElement[]
}

/** Largest XML application read (the webhook client caps bodies at 1 MB too). */
const MAX_XML_CHARS = 256 * 1024

/**
 * fast-xml-parser with every expansion off: `processEntities: false` (no entity is
 * expanded by the parser, so no "billion laughs"), no value coercion, declarations and
 * processing instructions skipped. A document with a DTD (`<!DOCTYPE`/`<!ENTITY`) is
 * refused before parsing; the five predefined XML entities and character references
 * are decoded afterwards by `decodeEntities` (XML 1.0 §4.6), nothing else.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
})

/** Parse an XML application (RCML / LaML / TwiML) into its root element, or throw appInvalid naming the problem. */
export function parseXmlTree(text: string): XmlElement {
  if (text.length > MAX_XML_CHARS) throw appInvalid(`the XML document has ${text.length} characters; at most ${MAX_XML_CHARS}`)
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw appInvalid('the XML document has a DTD (<!DOCTYPE>/<!ENTITY>); livecall does not process DTDs')
  const valid = XMLValidator.validate(text)
  if (valid !== true) throw appInvalid(`the document is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`)
  const nodes = parser.parse(text) as RawNode[]
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== undefined)
  if (roots.length !== 1) throw appInvalid(`the XML document must have one root element, found ${roots.length}`)
  return roots[0]
}

type RawNode = Record<string, unknown>

function toElement(node: RawNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text')
  if (name === undefined) return undefined
  const attrsRaw = (node[':@'] ?? {}) as Record<string, unknown>
  const attrs: Record<string, string> = {}
  for (const [k, v] of Object.entries(attrsRaw)) attrs[k] = decodeEntities(String(v))
  const content = (node[name] ?? []) as RawNode[]
  const texts: string[] = []
  const children: XmlElement[] = []
  for (const c of content) {
    if ('#text' in c) texts.push(decodeEntities(String(c['#text'])))
    else {
      const child = toElement(c)
      if (child) children.push(child)
    }
  }
  return { name, attrs, text: texts.join(' ').trim(), children }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/** The predefined entities and character references (XML 1.0 §4.1, §4.6); any other `&name;` is refused. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);/g, (_m, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
      if (!Number.isFinite(code) || code > 0x10ffff) throw appInvalid(`invalid character reference &${ref};`)
      return String.fromCodePoint(code)
    }
    const v = PREDEFINED[ref]
    if (v === undefined) throw appInvalid(`unknown XML entity &${ref}; (only &lt; &gt; &amp; &quot; &apos; are defined)`)
    return v
  })
}
