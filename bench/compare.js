// One benchmark run: ours against the tools people would use instead, side by side.
// Usage (scripts/bench.sh does the set-up): node bench/compare.js <dist> <cli> <python> <out dir>
//
//  native CPU      ours (`bench train`, flex)        vs PyTorch CPU (bench/pytorch/step.py)
//  browser WebGPU  ours (the page, in its worker)    vs TF.js WebGPU backend (bench/browser)
//  browser CPU     ours (the page's CPU fallback)    vs TF.js wasm backend
//  browser CPU     ours with wasm SIMD vs the same page built without it (BENCH_SCALAR_DIST)
//  plus the download (raw, gzip, brotli per asset; page + CPU worker against 2.5 MB), load to
//  interactive, time to the first training step on the CPU, dataset generation rate in wasm,
//  and resident memory over a 10,000-step run natively and in the page.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { execFileSync, spawn } = require('child_process');
const { chromium } = require(path.join(__dirname, 'browser', 'node_modules', 'playwright-core'));
const { serve: staticServer } = require(path.join(__dirname, '..', 'scripts', 'static-server'));

const [distArg, cli, python, outArg] = process.argv.slice(2);
if (!distArg || !cli || !python || !outArg) {
  console.error('usage: node bench/compare.js <dist> <cli> <python> <out dir>');
  process.exit(2);
}
const dist = path.resolve(distArg);
const out = path.resolve(outArg);
fs.mkdirSync(out, { recursive: true });
const env = (k, d) => Number(process.env[k] || d);
// Native: the page's default experiment at its default batch.
const NATIVE_BATCH = env('BENCH_NATIVE_BATCH', 256);
const NATIVE_STEPS = env('BENCH_NATIVE_STEPS', 20);
const NATIVE_ROUNDS = env('BENCH_NATIVE_ROUNDS', 3);
// Browser: a smaller batch, since a software WebGPU adapter (SwiftShader) may be all there is.
const WEB_BATCH = env('BENCH_WEB_BATCH', 16);
const WEB_STEPS = env('BENCH_WEB_STEPS', 10);
// The threaded CPU worker against the one-thread one: batch 64, interleaved rounds.
const THREADS_BATCH = env('BENCH_THREADS_BATCH', 64);
const THREADS_ROUNDS = env('BENCH_THREADS_ROUNDS', 3);
const THREADS_STEPS = env('BENCH_THREADS_STEPS', 60);
const MEMORY_STEPS = env('BENCH_MEMORY_STEPS', 10000);
// One in-browser training run may take this long before it is reported as timed out.
const WEB_TIMEOUT_MS = env('BENCH_WEB_TIMEOUT_S', 900) * 1000;
const TINY = 'train_size=256&test_size=32&batch=8&width=0.25&head_width=16&out_dim=8&checkpoints=1';

// The bench page and TF.js beside the app's dist.
const serve = (root = dist, isolated = false) => staticServer([['/bench/', path.join(__dirname, 'browser')], ['/node_modules/', path.join(__dirname, 'browser', 'node_modules')], ['/', root]], { isolated });
// The same page built without `+simd128`, for the side-by-side SIMD row (scripts/bench.sh).
const scalarDist = process.env.BENCH_SCALAR_DIST ? path.resolve(process.env.BENCH_SCALAR_DIST) : null;
// The model's training step in GFLOP at the native batch (forward + backward of the ConvNet and
// head on 2 x batch views of 6x28x28; counted from the layer shapes, README "Performance").
const GFLOP_PER_STEP_256 = 5.9;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const results = {};
// BENCH_ONLY=web_memory,native_memory,... runs just those parts (no table).
const ONLY = (process.env.BENCH_ONLY || '').split(',').filter(Boolean);
const want = (key) => ONLY.length === 0 || ONLY.includes(key);
function record(key, value) {
  results[key] = value;
  console.log(`${key}: ${JSON.stringify(value)}`);
  fs.writeFileSync(path.join(out, 'bench.json'), JSON.stringify(results, null, 2)); // partial results survive a kill
}

// Resident memory of a process tree (kB), from /proc.
function treeRss(rootPid) {
  const children = {};
  for (const d of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children[ppid] = children[ppid] || []).push(Number(d));
    } catch (e) { /* gone */ }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    try {
      const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
      if (m) total += Number(m[1]);
    } catch (e) { /* gone */ }
    stack.push(...(children[pid] || []));
  }
  return total;
}

// Samples memory every second; returns the samples (MB) with the fraction of the run they were at.
function memorySummary(samples) {
  const n = samples.length;
  const quarter = (a, b) => Math.max(...samples.slice(Math.floor(n * a), Math.max(Math.floor(n * b), Math.floor(n * a) + 1)));
  return {
    samples: n,
    start_mb: +(samples[0] / 1024).toFixed(1),
    peak_mb: +(Math.max(...samples) / 1024).toFixed(1),
    end_mb: +(samples[n - 1] / 1024).toFixed(1),
    // Peak of the second quarter vs peak of the last quarter: growth after warm-up.
    growth_mb: +((quarter(0.75, 1) - quarter(0.25, 0.5)) / 1024).toFixed(1),
    // 20 evenly spaced samples (MB), to see the shape of the curve.
    series_mb: Array.from({ length: Math.min(20, n) }, (_, i) => +(samples[Math.floor(i * (n - 1) / Math.max(1, Math.min(20, n) - 1))] / 1024).toFixed(0)),
  };
}

// A run in the page. The bench's server sends no COOP/COEP and the service worker is kept off, so
// the page runs its one-thread CPU worker, unless `isolatedBase` serves it isolated (threaded).
async function pageRun(browser, base, query, gpu) {
  const context = await browser.newContext({ acceptDownloads: true });
  // The isolating service worker is told not to register (it would reload the page isolated).
  await context.addInitScript(() => { window.coi = { shouldRegister: () => false }; });
  const page = await context.newPage();
  await page.goto(`${base}/?${query}`);
  await page.waitForSelector('#train', { timeout: 60000 });
  if (!gpu) await page.uncheck('#prefer-gpu');
  await page.click('#train');
  // Polled once a second, not every animation frame: the page's main thread shares the cores
  // with the training threads.
  await page.waitForFunction(() => /^(finished|stopped)/i.test(document.querySelector('#status').textContent), null, { timeout: WEB_TIMEOUT_MS, polling: 1000 });
  const status = await page.$eval('#status', (el) => el.textContent);
  const badge = await page.$eval('#backend-badge', (el) => el.textContent);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  await context.close();
  if (/^stopped/i.test(status)) throw new Error(status);
  // The first interval includes shader compilation and warm-up: leave it out.
  const rates = run.throughput.map((t) => t.images_per_s);
  const threads = /(\d+) threads/.test(badge) ? Number(badge.match(/(\d+) threads/)[1]) : /one thread/.test(badge) ? 1 : null;
  return { badge, threads, images_per_s: median(rates.length > 1 ? rates.slice(1) : rates), intervals: rates.length, history: run.history };
}

async function tfjsRun(browser, base, backend, input) {
  const page = await browser.newPage();
  const [c, s] = [input[1], input[2]];
  await page.goto(`${base}/bench/tfjs.html?backend=${backend}&batch=${WEB_BATCH}&channels=${c}&size=${s}&steps=${WEB_STEPS}&warmup=2`, { timeout: 120000 });
  await page.waitForFunction(() => window.benchResult, null, { timeout: WEB_TIMEOUT_MS, polling: 1000 });
  const r = await page.evaluate(() => window.benchResult);
  await page.close();
  if (r.error) throw new Error(r.error);
  return r;
}

(async () => {
  // --- native: ours vs PyTorch CPU -----------------------------------------------------------
  let input = [512, 6, 28, 28];
  if (want('native_ours_cpu')) {
  // Interleaved rounds (ours, then PyTorch, NATIVE_ROUNDS times), each side's median reported:
  // on a shared machine the speed drifts by tens of percent over minutes, and alternating keeps
  // both sides under the same drift.
  const ours = [];
  const torch = [];
  let torchError = null;
  for (let round = 0; round < NATIVE_ROUNDS; round++) {
    const benchLine = execFileSync(cli, ['bench', 'train', '--config', `batch=${NATIVE_BATCH}&train_size=2048&test_size=32`, '--repeat', String(NATIVE_STEPS)], { encoding: 'utf8' });
    input = JSON.parse(benchLine.match(/input (\[[^\]]*\])/)[1]);
    ours.push({ images_per_s: Number(benchLine.match(/([\d.]+) images\/s/)[1]), line: benchLine.trim() });
    if (torchError) continue;
    try {
      torch.push(JSON.parse(execFileSync(python, [path.join(__dirname, 'pytorch', 'step.py'), '--batch', String(NATIVE_BATCH), '--channels', String(input[1]), '--size', String(input[2]), '--steps', String(NATIVE_STEPS)], { encoding: 'utf8' })));
    } catch (e) { torchError = String(e.message || e); }
  }
  const rates = (runs) => runs.map((r) => r.images_per_s);
  record('native_ours_cpu', { images_per_s: median(rates(ours)), rounds: rates(ours), input, line: ours[0].line });
  if (torchError) record('native_pytorch_cpu', { error: torchError });
  else record('native_pytorch_cpu', { ...torch[0], images_per_s: median(rates(torch)), rounds: rates(torch) });
  }

  // --- native memory over a long run ---------------------------------------------------------
  if (want('native_memory')) {
    const child = spawn(cli, ['train', '--quiet', '--config', `${TINY}&steps=${MEMORY_STEPS}&eval_every=100`], { stdio: 'ignore' });
    const samples = [];
    const t0 = Date.now();
    const timer = setInterval(() => { const r = treeRss(child.pid); if (r) samples.push(r); }, 500);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    record('native_memory', Object.assign({ steps: MEMORY_STEPS, exit: code, seconds: (Date.now() - t0) / 1000 }, memorySummary(samples)));
  }

  // --- the page ------------------------------------------------------------------------------
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  // Every asset as served: raw, gzip and brotli (finish-dist.js writes the compressed copies).
  const fileSize = (f) => { try { return fs.statSync(path.join(dist, f)).size; } catch (e) { return NaN; } };
  const assets = Object.fromEntries(fs.readdirSync(dist).filter((f) => /\.(html|js|wasm|css)$/.test(f)).map((f) => {
    const bytes = fs.readFileSync(path.join(dist, f));
    const gz = fs.existsSync(path.join(dist, f + '.gz')) ? fileSize(f + '.gz') : zlib.gzipSync(bytes, { level: 9 }).length;
    const br = fs.existsSync(path.join(dist, f + '.br')) ? fileSize(f + '.br') : zlib.brotliCompressSync(bytes).length;
    return [f.replace(/-[0-9a-f]{16}/, ''), { bytes: bytes.length, gzip: gz, brotli: br }];
  }));
  // What a first visit downloads (the page and the CPU worker) and what only WebGPU loads.
  const group = (re) => Object.entries(assets).filter(([f]) => re.test(f)).reduce((t, [, v]) => ({ bytes: t.bytes + v.bytes, gzip: t.gzip + v.gzip, brotli: t.brotli + v.brotli }), { bytes: 0, gzip: 0, brotli: 0 });
  // An isolated page loads the threaded CPU worker, any other the one-thread one.
  const sizes = {
    assets,
    first_download: group(/^(?!worker_gpu|worker_cpu(\.|_bg|_loader))/),
    first_download_one_thread: group(/^(?!worker_gpu|worker_cpu_mt)/),
    gpu_worker: group(/^worker_gpu/),
  };
  record('wasm_size', sizes);
  const flags = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: [...flags, '--enable-unsafe-webgpu'] });
  if (want('load_to_interactive_ms')) {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      const t0 = Date.now();
      await page.goto(`${base}/`);
      await page.waitForSelector('#train', { timeout: 60000 });
      times.push(Date.now() - t0);
      await page.close();
    }
    record('load_to_interactive_ms', { median: median(times), runs: times });
  }
  if (want('wasm_generation')) {
    const page = await browser.newPage();
    await page.goto(`${base}/?data=objects&train_size=10000&test_size=32`);
    await page.waitForSelector('#fingerprint', { timeout: 60000 });
    await page.waitForFunction(() => /generated in/.test(document.querySelector('#fingerprint').textContent), null, { timeout: 120000 });
    const text = await page.$eval('#fingerprint', (el) => el.textContent);
    record('wasm_generation', { text, images_per_s: Number(text.match(/([\d.]+) images\/s/)[1]) });
    await page.close();
  }
  if (want('first_step_cpu')) {
    // A first visit on the CPU: navigation until the first training step of the default
    // experiment has run (Step starts a run paused after its first step).
    const times = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      const t0 = Date.now();
      await page.goto(`${base}/`);
      await page.waitForSelector('#train', { timeout: 60000 });
      const interactive = Date.now() - t0;
      await page.uncheck('#prefer-gpu');
      await page.click('#step');
      await page.waitForFunction(() => /^Paused at step 1 /.test(document.querySelector('#status').textContent), null, { timeout: 120000 });
      times.push({ interactive_ms: interactive, first_step_ms: Date.now() - t0 });
      await page.close();
    }
    record('first_step_cpu', { median_ms: median(times.map((t) => t.first_step_ms)), runs: times });
  }
  if (want('first_minute')) {
    // A first visit as a student makes it, on the CPU: open the page cold, press "Run this
    // finding" on the story it opens with, wait for the effect chart. Screenshots for the README.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${base}/`);
    await page.waitForSelector('#run-finding', { timeout: 60000 });
    await page.uncheck('#prefer-gpu');
    const clicked = Date.now();
    await page.click('#run-finding');
    await page.waitForFunction(() => /^sweep finished/.test(document.querySelector('#sweep-status').textContent), null, { timeout: 600000 });
    const done = Date.now();
    const summary = await page.$eval('#sweep-status', (el) => el.textContent);
    await page.screenshot({ path: path.join(out, 'page.png') });
    await page.screenshot({ path: path.join(out, 'page-full.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(out, 'phone.png') });
    await context.close();
    record('first_minute', { from_navigation_ms: done - t0, from_click_ms: done - clicked, summary });
  }
  const threadsQuery = `batch=${THREADS_BATCH}&train_size=1024&test_size=32&steps=${THREADS_STEPS}&eval_every=${Math.max(1, Math.floor(THREADS_STEPS / 6))}&checkpoints=1`;
  const webQuery = `batch=${WEB_BATCH}&train_size=1024&test_size=32&steps=${WEB_STEPS * 2}&eval_every=${Math.max(1, Math.floor(WEB_STEPS / 2))}&checkpoints=1`;
  // The CPU paths first.
  for (const [key, fn] of [
    ['web_ours_cpu', () => pageRun(browser, base, webQuery, false)],
    ['web_tfjs_wasm', () => tfjsRun(browser, base, 'wasm', input)],
    // TF.js's wasm backend has no Conv2DBackpropFilter kernel (it cannot train a conv net), so
    // its plain-JS CPU backend is the in-browser CPU reference that can.
    ['web_tfjs_cpu', () => tfjsRun(browser, base, 'cpu', input)],
    ['web_ours_cpu_scalar', async () => {
      if (!scalarDist) throw new Error('no scalar build (BENCH_SCALAR_DIST)');
      const scalar = await serve(scalarDist);
      try {
        const r = await pageRun(browser, `http://127.0.0.1:${scalar.address().port}`, webQuery, false);
        // The worker names its build in the badge: a scalar row must come from a scalar build.
        if (!/scalar wasm/.test(r.badge)) throw new Error(`not a scalar build: ${r.badge}`);
        return r;
      } finally { scalar.close(); }
    }],
    // Ours with SIMD again, after the scalar one: the pair brackets any drift of the machine.
    ['web_ours_cpu_again', () => pageRun(browser, base, webQuery, false)],
    // Threads: the same page served cross-origin isolated (the threaded worker) against the
    // one-thread worker, at a larger batch, interleaved; the same link gives the same losses.
    ['web_cpu_threads', async () => {
      const isolated = await serve(dist, true);
      const iso = `http://127.0.0.1:${isolated.address().port}`;
      try {
        const threaded = [];
        const single = [];
        for (let round = 0; round < THREADS_ROUNDS; round++) {
          single.push(await pageRun(browser, base, threadsQuery, false));
          threaded.push(await pageRun(browser, iso, threadsQuery, false));
        }
        const [t, o] = [threaded.map((r) => r.images_per_s), single.map((r) => r.images_per_s)];
        const same = threaded.every((r) => JSON.stringify(r.history) === JSON.stringify(single[0].history));
        if (single[0].threads !== 1) throw new Error(`not the one-thread worker: ${single[0].badge}`);
        return {
          batch: THREADS_BATCH, threads: threaded[0].threads, badge: threaded[0].badge,
          threaded_images_per_s: median(t), one_thread_images_per_s: median(o), rounds_threaded: t, rounds_one_thread: o,
          speedup: +(median(t) / median(o)).toFixed(2), same_losses: same,
        };
      } finally { isolated.close(); }
    }],
  ].filter(([key]) => want(key))) {
    try { record(key, await fn()); } catch (e) { record(key, { error: String(e.message || e) }); }
  }
  // --- page memory over a long run (all of Chromium's processes) ------------------------------
  if (want('web_memory')) {
    const page = await browser.newPage();
    await page.goto(`${base}/?${TINY}&steps=${MEMORY_STEPS}&eval_every=100`);
    await page.waitForSelector('#train', { timeout: 60000 });
    await page.uncheck('#prefer-gpu');
    // Chromium runs as this script's children: the tree under this process (node included,
    // about constant) holds the page, its worker and the GPU process.
    const samples = [];
    const t0 = Date.now();
    const timer = setInterval(() => samples.push(treeRss(process.pid)), 1000);
    await page.click('#train');
    await page.waitForFunction(() => /^(finished|stopped)/i.test(document.querySelector('#status').textContent), null, { timeout: 3600000 });
    clearInterval(timer);
    const status = await page.$eval('#status', (el) => el.textContent);
    record('web_memory', Object.assign({ steps: MEMORY_STEPS, status, seconds: (Date.now() - t0) / 1000 }, memorySummary(samples)));
    await page.close();
  }
  // --- page memory over a 20-run sweep (each run a fresh model and dataset) --------------------
  if (want('web_sweep_memory')) {
    const page = await browser.newPage();
    await page.goto(`${base}/?data=randbit&${TINY}&steps=200&eval_every=50&sweep=bits:0,2,4,6,8;tau:0.05,0.1,0.2,0.5`);
    await page.waitForSelector('#run-sweep', { timeout: 60000 });
    await page.uncheck('#prefer-gpu');
    const samples = [];
    const t0 = Date.now();
    const timer = setInterval(() => samples.push(treeRss(process.pid)), 1000);
    await page.click('#run-sweep');
    await page.waitForFunction(() => /^sweep finished/.test(document.querySelector('#sweep-status').textContent), null, { timeout: 3600000 });
    clearInterval(timer);
    const status = await page.$eval('#sweep-status', (el) => el.textContent);
    record('web_sweep_memory', Object.assign({ runs: 20, status, seconds: (Date.now() - t0) / 1000 }, memorySummary(samples)));
    await page.close();
  }
  // WebGPU last: a software adapter (SwiftShader) can take many minutes per run.
  for (const [key, fn] of [
    ['web_ours_webgpu', () => pageRun(browser, base, webQuery, true)],
    ['web_tfjs_webgpu', () => tfjsRun(browser, base, 'webgpu', input)],
  ].filter(([key]) => want(key))) {
    try { record(key, await fn()); } catch (e) { record(key, { error: String(e.message || e) }); }
  }
  await browser.close();
  server.close();

  if (ONLY.length > 0) return;
  // --- the table -----------------------------------------------------------------------------
  const rate = (k) => (results[k] && results[k].images_per_s) || NaN;
  const ratio = (a, b) => (rate(a) / rate(b)).toFixed(2) + '×';
  const mb = (v) => (v / 1e6).toFixed(2);
  const simd = (rate('web_ours_cpu') + rate('web_ours_cpu_again')) / 2;
  const secPerStep = (k) => (2 * NATIVE_BATCH) / rate(k);
  const gflops = (k) => (GFLOP_PER_STEP_256 * NATIVE_BATCH / 256 / secPerStep(k)).toFixed(0);
  const roundSteps = (k) => ((results[k] && results[k].rounds) || []).map((r) => ((2 * NATIVE_BATCH) / r).toFixed(3)).join(', ');
  const rows = [
    ['native CPU, batch ' + NATIVE_BATCH + `, median of ${NATIVE_ROUNDS} interleaved rounds`, `ours ${rate('native_ours_cpu').toFixed(0)} (${secPerStep('native_ours_cpu').toFixed(3)} s/step, ${gflops('native_ours_cpu')} GFLOP/s; rounds ${roundSteps('native_ours_cpu')} s/step)`, `PyTorch ${rate('native_pytorch_cpu').toFixed(0)} (${secPerStep('native_pytorch_cpu').toFixed(3)} s/step, ${gflops('native_pytorch_cpu')} GFLOP/s; rounds ${roundSteps('native_pytorch_cpu')} s/step)`, ratio('native_ours_cpu', 'native_pytorch_cpu'), '≥ 1.5×'],
    ['browser WebGPU, batch ' + WEB_BATCH, `ours ${rate('web_ours_webgpu').toFixed(0)}`, `TF.js ${rate('web_tfjs_webgpu').toFixed(0)}`, ratio('web_ours_webgpu', 'web_tfjs_webgpu'), '≥ 1.5×'],
    ['browser CPU, batch ' + WEB_BATCH + ', wasm SIMD vs scalar build', `ours ${simd.toFixed(0)} (${rate('web_ours_cpu').toFixed(0)}, again ${rate('web_ours_cpu_again').toFixed(0)})`, `ours scalar ${rate('web_ours_cpu_scalar').toFixed(0)}`, (simd / rate('web_ours_cpu_scalar')).toFixed(2) + '×', '≥ 2×'],
    ['browser CPU, batch ' + THREADS_BATCH + `, threaded worker (${(results.web_cpu_threads || {}).threads} threads, isolated page) vs one thread, median of ${THREADS_ROUNDS} interleaved rounds${(results.web_cpu_threads || {}).same_losses ? ', same losses' : ', LOSSES DIFFER'}`, `ours threaded ${((results.web_cpu_threads || {}).threaded_images_per_s || NaN).toFixed(0)}`, `ours one thread ${((results.web_cpu_threads || {}).one_thread_images_per_s || NaN).toFixed(0)}`, ((results.web_cpu_threads || {}).speedup || NaN).toFixed(2) + '×', '≥ 1.7×'],
    ['browser CPU, batch ' + WEB_BATCH, `ours ${simd.toFixed(0)}`, `TF.js wasm ${results.web_tfjs_wasm && results.web_tfjs_wasm.error ? 'cannot train: ' + results.web_tfjs_wasm.error : rate('web_tfjs_wasm').toFixed(0)}`, '—', '—'],
    ['browser CPU, batch ' + WEB_BATCH, `ours ${simd.toFixed(0)}`, `TF.js cpu ${rate('web_tfjs_cpu').toFixed(0)}`, (simd / rate('web_tfjs_cpu')).toFixed(2) + '×', '—'],
  ];
  let md = '| training step (images/s, views) | ours | reference | ratio | goal |\n|---|---|---|---|---|\n';
  for (const r of rows) md += `| ${r.join(' | ')} |\n`;
  md += `\n| download | raw | gzip | brotli | goal |\n|---|---|---|---|---|\n`;
  md += `| first visit, isolated page: page + threaded CPU worker | ${mb(sizes.first_download.bytes)} MB | **${mb(sizes.first_download.gzip)} MB** | ${mb(sizes.first_download.brotli)} MB | ≤ 1.3 MB gzip |\n`;
  md += `| first visit, page not isolated: page + one-thread CPU worker | ${mb(sizes.first_download_one_thread.bytes)} MB | ${mb(sizes.first_download_one_thread.gzip)} MB | ${mb(sizes.first_download_one_thread.brotli)} MB | ≤ 1.3 MB gzip |\n`;
  md += `| WebGPU worker, loaded only with an adapter | ${mb(sizes.gpu_worker.bytes)} MB | ${mb(sizes.gpu_worker.gzip)} MB | ${mb(sizes.gpu_worker.brotli)} MB | lazy |\n`;
  for (const [f, v] of Object.entries(assets).filter(([, v]) => v.bytes > 10000)) md += `| ${f} | ${mb(v.bytes)} MB | ${mb(v.gzip)} MB | ${mb(v.brotli)} MB | |\n`;
  md += `\n| other | value |\n|---|---|\n`;
  md += `| load to interactive | ${results.load_to_interactive_ms.median} ms |\n`;
  md += `| first training step on the CPU after navigation (default experiment) | ${results.first_step_cpu.median_ms} ms (goal < 3 s after load) |\n`;
  md += `| first visit, CPU: "Run this finding" on the opening story until its effect chart | ${(results.first_minute.from_click_ms / 1000).toFixed(1)} s after the click, ${(results.first_minute.from_navigation_ms / 1000).toFixed(1)} s after navigation (goal ≤ 60 s) |\n`;
  md += `| dataset generation in wasm (worker, 1 thread) | ${rate('wasm_generation').toFixed(0)} images/s |\n`;
  for (const k of ['native_memory', 'web_memory', 'web_sweep_memory']) {
    const m = results[k];
    const what = { native_memory: `native CLI memory, ${m.steps} steps`, web_memory: `page (node + Chromium tree) memory, ${m.steps} steps`, web_sweep_memory: `page memory over a ${m.runs}-run sweep` }[k];
    md += `| ${what} in ${m.seconds.toFixed(0)} s | RSS start ${m.start_mb} MB, peak ${m.peak_mb} MB, end ${m.end_mb} MB, growth after warm-up ${m.growth_mb} MB; curve ${m.series_mb.join(', ')} |\n`;
  }
  console.log('\n' + md);
  fs.writeFileSync(path.join(out, 'bench.md'), md);
  fs.writeFileSync(path.join(out, 'bench.json'), JSON.stringify(results, null, 2));
  console.log(`written: ${path.join(out, 'bench.md')}, bench.json`);
})().catch((e) => { console.error(e); process.exit(1); });
