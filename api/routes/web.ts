// The web app (issue 20): analyst pages and the data owner's page, served at `/` from web/. Three public
// files: the page (web/index.html), its stylesheet and one ES module bundle built from web/src by esbuild
// on first request (kept in memory). The bundle includes domain/shares itself, so the browser shares
// and rebuilds with the very module the CLI uses. The page holds no data; every API call it makes is
// authorized like any other client's (the token it sends, or the open loopback default).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
/** web/ of the repository, from api/routes (tsx) or dist/api/routes (tsc). */
export const WEB_ROOT = [path.resolve(here, '../../web'), path.resolve(here, '../../../web')].find((d) => existsSync(path.join(d, 'index.html'))) ?? path.resolve(here, '../../web');

/** Bundles web/src/main.ts (and what it imports: domain/shares, domain/csv-check) for browsers. */
export async function buildWebBundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(WEB_ROOT, 'src', 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

// Scripts and styles only from this origin; calls to the API (same origin) and to the buckets' presigned
// URLs (other origins, any cloud: https, and http for the local emulators).
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https: http:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const page = (reply: FastifyReply) => reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer').header('cache-control', 'no-cache');

export const webRoutes: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, { root: WEB_ROOT, serve: false });
  let bundle: Promise<string> | undefined;
  const publicPage = { config: { access: 'public' as const }, schema: { hide: true } };

  app.get('/', publicPage, (_request, reply) => page(reply).type('text/html; charset=utf-8').sendFile('index.html'));
  app.get('/style.css', publicPage, (_request, reply) => page(reply).type('text/css; charset=utf-8').sendFile('style.css'));
  app.get('/app.js', publicPage, async (_request, reply) => {
    bundle ??= buildWebBundle().catch((err) => {
      bundle = undefined; // a later request tries again
      throw err;
    });
    return page(reply).type('text/javascript; charset=utf-8').send(await bundle);
  });
};
