// The sample page's server: the page, the official embedding SDK from node_modules, and a stand-in
// OpenID Connect provider for local runs (a key made at start; /login signs an ID token for the
// e-mail typed in). Against a deployed stack, point the page at your own provider instead
// (README: "Embed the dashboard in a web page").
//
//   node server.mjs --port 8080 --function-url https://<id>.lambda-url.<region>.on.aws/
//       [--issuer https://login.embed-sample.localhost] [--audience qs-embed-sample]
//
// It prints "sample page at http://localhost:<port>" once it listens.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const settings = {
  port: Number(option('port', '8080')),
  functionUrl: option('function-url', ''),
  // QuickSight records the provider URL with each login, and takes https URLs only.
  issuer: option('issuer', 'https://login.embed-sample.localhost'),
  audience: option('audience', 'qs-embed-sample'),
};

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = `embed-web-${crypto.randomBytes(4).toString('hex')}`;
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };

const base64url = (data) => Buffer.from(data).toString('base64url');

/** An ID token for `email`, as a provider would sign it at login. */
function idToken(email, name, groups) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid };
  const claims = {
    iss: settings.issuer,
    aud: settings.audience,
    sub: crypto.createHash('sha256').update(email).digest('hex').slice(0, 32),
    email,
    email_verified: true,
    name,
    groups,
    iat: now,
    exp: now + 3600,
  };
  const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = crypto.sign('RSA-SHA256', Buffer.from(signed), privateKey).toString('base64url');
  return `${signed}.${signature}`;
}

const files = {
  '/': ['public/index.html', 'text/html; charset=utf-8'],
  '/app.js': ['public/app.js', 'text/javascript; charset=utf-8'],
  '/sdk.js': [
    'node_modules/amazon-quicksight-embedding-sdk/dist/quicksight-embedding-js-sdk.min.js',
    'text/javascript; charset=utf-8',
  ],
};

function send(response, status, type, body) {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

const json = (response, status, value) => send(response, status, 'application/json', JSON.stringify(value));

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const server = http.createServer(async (request, response) => {
  const { pathname } = new URL(request.url, 'http://localhost');
  try {
    if (request.method === 'GET' && files[pathname]) {
      const [file, type] = files[pathname];
      return send(response, 200, type, fs.readFileSync(path.join(here, file)));
    }
    if (pathname === '/favicon.ico') {
      response.writeHead(204);
      return response.end();
    }
    if (request.method === 'GET' && pathname === '/config.json') {
      return json(response, 200, { functionUrl: settings.functionUrl });
    }
    if (request.method === 'GET' && pathname === '/.well-known/openid-configuration') {
      return json(response, 200, { issuer: settings.issuer, jwks_uri: `http://localhost:${settings.port}/jwks` });
    }
    if (request.method === 'GET' && pathname === '/jwks') {
      return json(response, 200, jwks);
    }
    if (request.method === 'POST' && pathname === '/login') {
      const { email, name, groups } = JSON.parse((await readBody(request)) || '{}');
      if (typeof email !== 'string' || !email.includes('@')) {
        return json(response, 400, { error: 'an e-mail address is needed to sign in' });
      }
      const list = Array.isArray(groups) ? groups.filter((g) => typeof g === 'string') : [];
      return json(response, 200, { id_token: idToken(email, name || email, list) });
    }
    return json(response, 404, { error: `nothing at ${pathname}` });
  } catch (error) {
    return json(response, 500, { error: String(error) });
  }
});

server.listen(settings.port, '127.0.0.1', () => {
  settings.port = server.address().port;
  console.log(`sample page at http://localhost:${settings.port}`);
});
