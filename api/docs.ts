// OpenAPI from the route schemas, and a docs page at /docs.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'QueryShield API',
        version: '1.0.0',
        description: 'Secure multi-party computation analytics across clouds. Every error is JSON {error, code, ...}.',
      },
      tags: [{ name: 'jobs', description: 'the seed contract' }, { name: 'operations' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
