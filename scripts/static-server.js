// A small static file server on 127.0.0.1 for `scripts/serve.sh`, the browser tests and the
// benchmarks. serve([[urlPrefix, directory], ...], { port, isolated }) resolves to a listening
// http.Server (port 0: any free port); the first prefix that matches a request's path serves it.
// Directories serve their index.html; paths that leave their directory are refused. `isolated`
// sends COOP and COEP with every response, which makes the page cross-origin isolated (its
// threaded CPU worker needs that); without it the page runs as on a host that sends no headers.
// From the command line: node scripts/static-server.js <dir> [port] [--not-isolated]
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json', '.md': 'text/markdown',
};
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function serve(roots, { port = 0, isolated = false } = {}) {
  const resolved = roots.map(([prefix, dir]) => [prefix, path.resolve(dir)]);
  const extra = isolated ? ISOLATION : {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const match = resolved.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!match) { res.writeHead(404, extra); return res.end('not found'); }
    const [prefix, root] = match;
    let file = path.join(root, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403, extra); return res.end(); }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404, extra); return res.end('not found'); }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', ...extra });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

module.exports = { serve };

if (require.main === module) {
  const args = process.argv.slice(2);
  const isolated = !args.includes('--not-isolated');
  const [dir = 'dist', port = '8080'] = args.filter((a) => !a.startsWith('--'));
  serve([['/', dir]], { port: Number(port), isolated }).then(() => {
    console.log(`serving ${dir} on http://127.0.0.1:${port}/ (${isolated ? 'cross-origin isolated: the CPU trains on every core' : 'not isolated: the CPU trains on one thread'}; Ctrl-C stops)`);
  });
}
