// A small static file server on 127.0.0.1 for the browser tests and the benchmarks.
// serve([[urlPrefix, directory], ...]) resolves to a listening http.Server (port 0: any free
// port); the first prefix that matches a request's path serves it. Directories serve their
// index.html; paths that leave their directory are refused.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json',
};

function serve(roots, port = 0) {
  const resolved = roots.map(([prefix, dir]) => [prefix, path.resolve(dir)]);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const match = resolved.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!match) { res.writeHead(404); return res.end('not found'); }
    const [prefix, root] = match;
    let file = path.join(root, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403); return res.end(); }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); return res.end('not found'); }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

module.exports = { serve };
