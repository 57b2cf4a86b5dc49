// The four endpoints of the seed contract, with underscores and the hyphen aliases existing clients use.
import type { FastifyPluginAsync, FastifySchema, RouteHandlerMethod } from 'fastify';
import type { Config } from '../../activities/config.js';
import { compileForEngine } from '../query-check.js';
import type { JobService } from '../job-service.js';
import { createJobSchema, registerSchema, statusSchema, submitSchema } from '../schemas.js';
import { parseCreateJob, parseJobId, parseRegister } from '../validate.js';

export const jobRoutes: FastifyPluginAsync<{ jobs: JobService; config: Config }> = async (app, { jobs, config }) => {
  const both = (method: 'GET' | 'POST', name: string, schema: FastifySchema, handler: RouteHandlerMethod) => {
    app.route({ method, url: `/${name}`, schema, handler });
    const alias = `/${name.replace(/_/g, '-')}`;
    app.route({ method, url: alias, schema: { ...schema, summary: `Alias of /${name}`, hide: true } as FastifySchema, handler });
  };

  both('POST', 'create_job', createJobSchema, async (request) => {
    const input = parseCreateJob(request.body, config.providers);
    compileForEngine(config, input.querySql, Object.keys(input.schema));
    return jobs.createJob(input);
  });

  both('POST', 'register_data_owner', registerSchema, async (request) => {
    const { jobId, owner } = parseRegister(request.body);
    return jobs.registerDataOwner(jobId, owner);
  });

  both('POST', 'submit_job', submitSchema, async (request) => jobs.submitJob(parseJobId(request.body)));

  both('GET', 'get_status', statusSchema, async (request) => {
    const { source: _source, ...answer } = await jobs.getStatus(parseJobId(request.query, 'query'));
    return answer;
  });
};
