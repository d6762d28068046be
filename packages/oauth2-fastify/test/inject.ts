import Fastify, { type FastifyInstance } from 'fastify'
import { PASS_THROUGH_BODY, type ContractRequest, type ContractTarget } from '@x/oauth2-testkit'

/** A real Fastify 5 instance whose own not-found handler answers {@link PASS_THROUGH_BODY}. */
export function passThroughApp(): FastifyInstance {
  const fastify = Fastify()
  fastify.setNotFoundHandler((_request, reply) => reply.code(404).send(PASS_THROUGH_BODY))
  return fastify
}

/** A contract target that sends each request through `fastify.inject`. */
export async function injectTarget(app: FastifyInstance): Promise<ContractTarget> {
  await app.ready()
  return {
    async send(request: ContractRequest) {
      const response = await app.inject({
        method: request.method as 'GET',
        url: request.path,
        headers: request.headers,
        ...(request.body !== undefined ? { payload: Buffer.from(request.body) } : {}),
      })
      const headers = new Headers()
      for (const [name, value] of Object.entries(response.headers)) {
        for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) headers.append(name, String(v))
      }
      return { status: response.statusCode, headers, body: new Uint8Array(response.rawPayload) }
    },
    close: () => app.close(),
  }
}
