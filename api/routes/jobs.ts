// The four endpoints of the seed contract, with underscores and the hyphen aliases existing clients use.
import type { FastifyPluginAsync, RouteHandlerMethod } from 'fastify';
import type { Config } from '../../activities/config.js';
import { compileForEngine } from '../query-check.js';
import type { JobService } from '../job-service.js';
import { parseCreateJob, parseJobId, parseRegister } from '../validate.js';

export const jobRoutes: FastifyPluginAsync<{ jobs: JobService; config: Config }> = async (app, { jobs, config }) => {
  const both = (method: 'GET' | 'POST', name: string, handler: RouteHandlerMethod) => {
    app.route({ method, url: `/${name}`, handler });
    app.route({ method, url: `/${name.replace(/_/g, '-')}`, handler });
  };

  both('POST', 'create_job', async (request) => {
    const input = parseCreateJob(request.body, config.providers);
    compileForEngine(config, input.querySql, Object.keys(input.schema));
    return jobs.createJob(input);
  });

  both('POST', 'register_data_owner', async (request) => {
    const { jobId, owner } = parseRegister(request.body);
    return jobs.registerDataOwner(jobId, owner);
  });

  both('POST', 'submit_job', async (request) => jobs.submitJob(parseJobId(request.body)));

  both('GET', 'get_status', async (request) => {
    const { source: _source, ...answer } = await jobs.getStatus(parseJobId(request.query, 'query'));
    return answer;
  });
};
