// The four endpoints of the seed contract, with underscores and the hyphen aliases existing clients use.
import type { FastifyContextConfig, FastifyPluginAsync, FastifySchema, RouteHandlerMethod } from 'fastify';
import { access } from '../auth.js';
import type { Config } from '../../activities/config.js';
import { compileForEngine } from '../query-check.js';
import type { JobService } from '../job-service.js';
import { createJobSchema, registerSchema, statusSchema, submitSchema } from '../schemas.js';
import { parseCreateJob, parseJobId, parseRegister } from '../validate.js';

export const jobRoutes: FastifyPluginAsync<{ jobs: JobService; config: Config }> = async (app, { jobs, config }) => {
  const both = (method: 'GET' | 'POST', name: string, config: FastifyContextConfig, schema: FastifySchema, handler: RouteHandlerMethod) => {
    app.route({ method, url: `/${name}`, config, schema, handler });
    const alias = `/${name.replace(/_/g, '-')}`;
    app.route({ method, url: alias, config, schema: { ...schema, summary: `Alias of /${name}`, hide: true } as FastifySchema, handler });
  };

  both('POST', 'create_job', access.roles('analyst', 'admin'), createJobSchema, async (request) => {
    const input = parseCreateJob(request.body, config.providers);
    compileForEngine(config, input.querySql, Object.keys(input.schema));
    return jobs.createJob(input, request.principal);
  });

  both('POST', 'register_data_owner', access.roles('data_owner', 'analyst', 'admin'), registerSchema, async (request) => {
    const { jobId, owner } = parseRegister(request.body);
    return jobs.registerDataOwner(jobId, owner, request.principal);
  });

  both('POST', 'submit_job', access.roles('analyst', 'admin'), submitSchema, async (request) => jobs.submitJob(parseJobId(request.body), request.principal));

  both('GET', 'get_status', access.roles('analyst', 'admin'), statusSchema, async (request) => {
    const { source: _source, ...answer } = await jobs.getStatus(parseJobId(request.query, 'query'), request.principal);
    return answer;
  });
};
