import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/**
 * The OpenAPI description is generated from the routes' TypeBox schemas
 * (GET /docs/json) and browsable at /docs.
 */
export const registerOpenApi = Object.assign(openApi, {
  // not encapsulated (what fastify-plugin does): @fastify/swagger must see the routes
  // registered beside it, or /docs/json lists no path at all
  [Symbol.for('skip-override')]: true,
})

async function openApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'livecall control API',
        description: 'Live call control for calls in progress: the native (jambonz-style) dialect, SPEC §5.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API_KEY' } } },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}
