// Finishes a trunk build for static hosting: a Content-Security-Policy that allows only what the
// page uses (its own origin, WebAssembly, the inline module script trunk writes, by hash), the
// COOP/COEP service worker's script tag, and
// gzip and brotli copies next to each asset for hosts that serve precompressed files.
// Usage: node scripts/finish-dist.js <dist dir>
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

const dist = path.resolve(process.argv[2] || 'dist');
const indexPath = path.join(dist, 'index.html');
let html = fs.readFileSync(indexPath, 'utf8');
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/, '');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map((m) => `'sha256-${crypto.createHash('sha256').update(m[1]).digest('base64')}'`);
const csp = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  // Leptos sets a few style attributes (legend swatches).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
// coi-serviceworker (copied in by build-dist.sh) first: on a host that sends no COOP/COEP it
// installs itself and reloads the page once, cross-origin isolated, so the CPU trains on every
// core. A classic script (it finds its own URL through document.currentScript).
const coi = fs.existsSync(path.join(dist, 'coi-serviceworker.js')) && !html.includes('coi-serviceworker.js')
  ? '\n  <script src="./coi-serviceworker.js"></script>' : '';
html = html.replace('<head>', `<head>\n  <meta http-equiv="Content-Security-Policy" content="${csp}" />${coi}`);
fs.writeFileSync(indexPath, html);

const sizes = [];
// Every asset, those in sub-folders too (the thread pool's helper script is under snippets/).
const assets = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory()
  ? assets(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]);
for (const name of assets(dist)) {
  if (!/\.(html|js|wasm|css|md)$/.test(name)) continue;
  const file = path.join(dist, name);
  const bytes = fs.readFileSync(file);
  const gz = zlib.gzipSync(bytes, { level: 9 });
  const br = zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  fs.writeFileSync(file + '.gz', gz);
  fs.writeFileSync(file + '.br', br);
  sizes.push([name, bytes.length, gz.length, br.length]);
}
for (const [name, raw, gz, br] of sizes) {
  console.log(`${name.padEnd(48)} ${String(raw).padStart(9)} B  gzip ${String(gz).padStart(8)}  br ${String(br).padStart(8)}`);
}
