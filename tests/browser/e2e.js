// End-to-end tests of the page in Debian's headless Chromium (playwright-core), served under a
// sub-path as a static host would (e.g. GitHub Pages at /contrastive-playground/): cross-origin
// isolated (COOP/COEP, so the CPU worker is the threaded one), and for the one-thread worker
// and the isolating service worker also from a server that sends no such headers.
// Usage: node tests/browser/e2e.js <dist dir> <native CLI binary> <screenshot dir>
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');
const { default: AxeBuilder } = require('@axe-core/playwright');
const { serve } = require('../../scripts/static-server');

const [distArg, cli, shots] = process.argv.slice(2);
const dist = distArg && path.resolve(distArg);
if (!distArg || !cli || !shots) {
  console.error('usage: node e2e.js <dist> <cli> <screenshots>');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });
const SUB = '/contrastive-playground/';

const FLAGS = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic'];
const launch = (webgpu) => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: webgpu ? [...FLAGS, '--enable-unsafe-webgpu'] : FLAGS,
});

// A tiny experiment: SwiftShader's WebGPU is correct but slow.
const TINY = 'v=2&data=digits&train_size=64&test_size=32&batch=8&width=0.25&head_width=16&out_dim=8&steps=4&eval_every=1&checkpoints=1';

function cliFingerprint(query) {
  const out = execFileSync(cli, ['dataset', '--config', query], { encoding: 'utf8' });
  return out.match(/^fingerprint: (\w+)$/m)[1];
}
function cliFirstLoss(query) {
  const file = path.join(shots, 'cli-run.json');
  execFileSync(cli, ['train', '--quiet', '--config', query, '--out', file], { encoding: 'utf8' });
  return JSON.parse(fs.readFileSync(file, 'utf8')).history[0].loss;
}

let passed = 0, failed = 0;
async function test(name, fn) {
  // E2E_ONLY=text runs only the tests whose name contains it (while iterating).
  if (process.env.E2E_ONLY && !name.includes(process.env.E2E_ONLY)) return;
  const started = Date.now();
  // No test may hang the suite: each fails after ten minutes.
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('gave up after 600 s')), 600000); });
  try {
    await Promise.race([fn(), limit]);
    passed++;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack || e}`);
  } finally {
    clearTimeout(timer);
  }
}
function assert(cond, message) { if (!cond) throw new Error(message); }

async function openPage(browser, base, query, errors, viewport = { width: 1400, height: 1000 }, options = {}) {
  const { init, ...contextOptions } = options;
  const context = await browser.newContext({ viewport, acceptDownloads: true, ...contextOptions });
  if (init) await context.addInitScript(init);
  // Every URL the page and its workers fetch, in order.
  const requested = [];
  context.on('request', (r) => requested.push(r.url()));
  const page = await context.newPage();
  page.requested = requested;
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url()}`); });
  const t0 = Date.now();
  await page.goto(`${base}${query ? '?' + query : ''}`);
  await page.waitForSelector('#train', { timeout: 60000 });
  return { page, context, loadMs: Date.now() - t0 };
}

/// axe-core on the page: no serious or critical violations.
async function accessible(page, when) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert(bad.length === 0, `axe (${when}): ` + bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`).join(' | '));
}

const status = (page) => page.$eval('#status', (el) => el.textContent);
const waitStatus = (page, re, timeout = 300000) =>
  page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#status').textContent), re.source, { timeout });

/// An MNIST IDX pair of `n` images (28x28), labels i % 10, as files in a temp dir.
function mnistPair(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpg-e2e-'));
  const images = [0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28];
  for (let i = 0; i < n * 784; i++) images.push((i * 7) % 256);
  const labels = [0, 0, 8, 1, 0, 0, 0, n];
  for (let i = 0; i < n; i++) labels.push(i % 10);
  const files = [path.join(dir, 'my-images-idx3-ubyte'), path.join(dir, 'my-labels-idx1-ubyte')];
  fs.writeFileSync(files[0], Buffer.from(images));
  fs.writeFileSync(files[1], Buffer.from(labels));
  return files;
}

// What a visit downloaded, gzip-compressed as build-dist.sh writes it next to each asset (the
// reference results are compiled into the page's wasm, so they are counted): at most 1.3 MB.
function assertFirstVisitFits(requested, what) {
  const files = [...new Set(requested.map((u) => new URL(u).pathname.slice(SUB.length) || 'index.html'))]
    .filter((f) => fs.existsSync(path.join(dist, f + '.gz')));
  const gzip = files.reduce((sum, f) => sum + fs.statSync(path.join(dist, f + '.gz')).size, 0);
  console.log(`     first visit, ${what}: ${(gzip / 1e6).toFixed(3)} MB gzip (${files.join(', ')})`);
  assert(files.some((f) => f.endsWith('_bg.wasm')) && gzip <= 1.3e6, `first visit, ${what}: ${gzip} B gzip, over 1.3 MB`);
}

(async () => {
  const server = await serve([[SUB, dist]], { isolated: true });
  const base = `http://127.0.0.1:${server.address().port}${SUB}`;
  // A host that sends no COOP/COEP (as GitHub Pages): isolated only by coi-serviceworker.js.
  const plainServer = await serve([[SUB, dist]]);
  const plainBase = `http://127.0.0.1:${plainServer.address().port}${SUB}`;
  const gpuBrowser = await launch(true);

  await test('a first visit opens the quick RandBit story, loads cleanly and is accessible', async () => {
    const errors = [];
    const { page, context, loadMs } = await openPage(gpuBrowser, base, '', errors);
    await page.waitForFunction(() => document.querySelector('#fingerprint').textContent.match(/[0-9a-f]{16}/), null, { timeout: 60000 });
    console.log(`     load-to-interactive ${loadMs} ms`);
    // The first visit loads the CPU worker only, the threaded build (the page is isolated)
    // instead of the one-thread one; the WebGPU worker waits for a WebGPU run.
    const loaded = page.requested;
    await page.waitForFunction(() => self.crossOriginIsolated, null, { timeout: 10000 });
    assert(loaded.some((u) => /worker_cpu_mt_bg\.wasm/.test(u)), 'the threaded CPU worker was not loaded: ' + loaded.join(' '));
    assert(!loaded.some((u) => /worker_cpu_bg\.wasm/.test(u)), 'the one-thread CPU worker was loaded too');
    assert(!loaded.some((u) => /worker_gpu/.test(u)), 'the WebGPU worker was loaded before any run');
    assertFirstVisitFits(loaded, 'isolated');
    assert((await page.evaluate(() => location.search)).includes('sweep=bits:0,10'), 'first visit is not the quick story');
    assert(await page.$('#preset-help') !== null, 'the story explains what to look for');
    assert((await page.textContent('#explanation')).includes('What suppression is'), 'no explanation');
    await page.screenshot({ path: path.join(shots, 'load.png'), fullPage: true });
    await accessible(page, 'loaded');
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('moving a slider changes the URL; help shows on keyboard focus', async () => {
    const errors = [];
    const { page, context } = await openPage(gpuBrowser, base, 'v=2&data=randbit', errors);
    await page.$eval('#knob-bits', (el) => { el.value = '13'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await page.waitForFunction(() => location.search.includes('bits=13'), null, { timeout: 5000 });
    assert(await page.$eval('#knob-bits', (el) => el.getAttribute('aria-valuetext')) === '13', 'slider does not announce its value');
    await page.selectOption('#knob-loss', 'swd_cube');
    await page.waitForFunction(() => location.search.includes('loss=swd_cube'), null, { timeout: 5000 });
    await page.focus('#knob-bits');
    assert(await page.$eval('#help-bits', (el) => getComputedStyle(el).display !== 'none'), 'help hidden on focus');
    await context.close();
  });

  await test('only the knobs the experiment uses are shown, and hide= hides more', async () => {
    const errors = [];
    const { page, context } = await openPage(gpuBrowser, base, 'v=2&data=digits&hide=crop_min', errors);
    for (const key of ['bits', 'unique_digits', 'canvas', 'colour_bins', 'crop_min']) {
      assert(await page.$(`#knob-${key}`) === null, `knob ${key} shown for data=digits`);
    }
    assert(await page.$('#knob-steps') !== null && await page.$('#knob-seed') !== null, 'used knobs missing');
    await page.selectOption('#knob-data', 'colour_shape');
    await page.waitForSelector('#knob-colour_bins', { state: 'attached', timeout: 5000 });
    assert((await page.evaluate(() => location.search)).includes('hide=crop_min'), 'hide= lost from the link');
    await context.close();
  });

  await test('a crafted link restores its values and warns about bad parameters', async () => {
    const errors = [];
    const { page, context } = await openPage(gpuBrowser, base, 'v=2&bits=12&loss=logsumexp&tau=0.1&colour=red&lr=abc&batch=99999', errors);
    assert(await page.$eval('#knob-bits', (el) => el.value) === '12', 'bits not restored');
    assert(await page.$eval('#knob-loss', (el) => el.value) === 'logsumexp', 'loss not restored');
    const text = await page.$eval('#url-warnings', (el) => el.textContent);
    for (const needle of ['colour', 'unknown parameter', 'lr', 'not a number', 'batch', 'out of range', 'using 256']) {
      assert(text.includes(needle), `warning lacks ${needle}: ${text}`);
    }
    await page.click('#dismiss-warnings');
    assert(await page.$('#url-warnings') === null, 'warning not dismissed');
    assert(!(await page.evaluate(() => location.search)).includes('colour'), 'bad key kept in the URL');
    await context.close();
  });

  await test('the fingerprint shown for a link equals the CLI one', async () => {
    const query = 'v=2&data=digit_on_objects&unique_digits=7&train_size=300&test_size=40&seed=5';
    const expected = cliFingerprint(query);
    const { page, context } = await openPage(gpuBrowser, base, query, []);
    await page.waitForFunction((fp) => document.querySelector('#fingerprint').textContent.includes(fp), expected, { timeout: 60000 });
    await context.close();
  });

  await test('trains on WebGPU, charts fill and read out under the cursor, clicks stay fast', async () => {
    const errors = [];
    const { page, context } = await openPage(gpuBrowser, base, TINY.replace('steps=4', 'steps=6'), errors);
    await page.click('#train');
    await page.waitForFunction(() => document.querySelector('#backend-badge').textContent.includes('WebGPU'), null, { timeout: 120000 });
    assert(page.requested.some((u) => /worker_gpu[^/]*\.wasm/.test(u)), 'a WebGPU run without the WebGPU worker');
    await page.waitForFunction(() => Number(document.querySelector('#chart-loss').dataset.points) > 0, null, { timeout: 300000 });
    const ms = await page.evaluate(() => new Promise((resolve) => {
      const el = document.querySelector('#status');
      const t0 = performance.now();
      new MutationObserver(() => resolve(performance.now() - t0)).observe(el, { childList: true, subtree: true, characterData: true });
      document.querySelector('#pause').click();
    }));
    console.log(`     click handled in ${ms.toFixed(1)} ms while training`);
    assert(ms < 200, `click took ${ms} ms`);
    await page.click('#pause'); // resume
    await waitStatus(page, /^Finished/);
    const box = await page.$eval('#chart-loss', (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
    await page.mouse.move(box[0] + box[2] * 0.7, box[1] + box[3] * 0.4);
    const readout = await page.$eval('#chart-loss ~ .readout', (el) => el.textContent);
    assert(/total \d/.test(readout), 'no read-out under the cursor: ' + readout);
    await page.screenshot({ path: path.join(shots, 'webgpu-trained.png'), fullPage: true });
    await accessible(page, 'after a run');
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('files: a corrupt drop is refused, a 2 GB pick is refused unread, an MNIST pair picked becomes the base set', async () => {
    const errors = [];
    const { page, context } = await openPage(gpuBrowser, base, 'v=2&data=digits', errors);
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], 'broken.png'));
      document.querySelector('#drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('#file-error', { timeout: 30000 });
    assert((await page.$eval('#file-error', (el) => el.textContent)).includes('broken.png'), 'error does not name the file');
    // A sparse 2 GB file: refused by its size, before a byte is read.
    const big = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cpg-big-')), 'huge-images-idx3-ubyte');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 2 * 1024 * 1024 * 1024);
    await page.setInputFiles('#file-picker', big);
    await page.waitForFunction(() => /over the \d+ MB limit/.test((document.querySelector('#file-error') || {}).textContent || ''), null, { timeout: 10000 });
    fs.unlinkSync(big);
    await page.setInputFiles('#file-picker', mnistPair(20));
    await page.waitForFunction(() => location.search.includes('base=file') && !location.search.includes('data=digits'), null, { timeout: 30000 });
    await page.waitForFunction(() => document.querySelector('#fingerprint').textContent.includes('MNIST'), null, { timeout: 30000 });
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });
  await gpuBrowser.close();

  const cpuBrowser = await launch(false);
  await test('without WebGPU it trains on the CPU fallback, same first-step loss as the CLI', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, TINY, errors);
    const expectedFp = cliFingerprint(TINY);
    await page.waitForFunction((fp) => document.querySelector('#fingerprint').textContent.includes(fp), expectedFp, { timeout: 60000 });
    await page.click('#train');
    await waitStatus(page, /^Finished/);
    const badge = await page.$eval('#backend-badge', (el) => el.textContent + ' / ' + el.title);
    assert(badge.includes('CPU') && /no WebGPU|WebGPU unavailable/.test(badge), 'badge: ' + badge);
    assert(Number(await page.$eval('#chart-loss', (el) => el.dataset.points)) > 0, 'loss chart empty');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert(exported.fingerprint === expectedFp && exported.config.startsWith('v=3'), 'exported run.json: ' + exported.config);
    const pageLoss = exported.history[0].loss;
    const cliLoss = cliFirstLoss(TINY);
    console.log(`     first-step loss: page ${pageLoss}, CLI ${cliLoss}`);
    assert(Math.abs(pageLoss - cliLoss) <= 1e-4 * Math.max(1, Math.abs(cliLoss)), `page ${pageLoss} vs CLI ${cliLoss}`);
    assert(exported.history.length === 4, 'exported history length ' + exported.history.length);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert(fs.readFileSync(await csv.path(), 'utf8').startsWith('step,loss,alignment'), 'CSV header');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#chart-loss ~ * button, figure:has(#chart-loss) button')]);
    assert(fs.readFileSync(await svg.path(), 'utf8').includes('<svg'), 'chart SVG export');
    // Step: one step of a paused run.
    await page.click('#step');
    await waitStatus(page, /^Paused at step 1 /, 60000);
    await page.click('#step');
    await waitStatus(page, /^Paused at step 2 /, 60000);
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('the threaded CPU worker (isolated) and the one-thread worker (no isolation) finish a link with the same record', async () => {
    const errors = [];
    const link = 'v=3&data=digits&train_size=512&test_size=128&batch=64&steps=6&eval_every=3&checkpoints=2';
    const runOn = async (where, options) => {
      const { page, context } = await openPage(cpuBrowser, where, link, errors, undefined, options);
      await page.click('#train');
      await waitStatus(page, /^Finished/);
      // The dataset's description asked for at load still lands after the run started.
      await page.waitForFunction(() => /fingerprint: [0-9a-f]{16} /.test(document.querySelector('#fingerprint').textContent), null, { timeout: 10000 });
      const badge = await page.$eval('#backend-badge', (el) => el.textContent);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
      const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
      const isolated = await page.evaluate(() => self.crossOriginIsolated);
      const workers = page.requested.filter((u) => /worker_cpu\w*_bg\.wasm/.test(u)).map((u) => u.split('/').pop());
      const requested = [...page.requested];
      await context.close();
      return { badge, run, isolated, workers, requested };
    };
    const threaded = await runOn(base);
    // The isolating service worker told not to register: the page stays unisolated, as where
    // service workers are unavailable.
    const single = await runOn(plainBase, { init: () => { window.coi = { shouldRegister: () => false }; } });
    const threads = Number((threaded.badge.match(/(\d+) threads/) || [])[1]);
    console.log(`     threaded: ${threaded.badge} (${threaded.workers}); one thread: ${single.badge} (${single.workers})`);
    assert(threaded.isolated && threads >= 2 && threaded.workers.join() === 'worker_cpu_mt_bg.wasm', 'not the threaded worker: ' + threaded.badge + ' ' + threaded.workers);
    assert(!single.isolated && /one thread/.test(single.badge) && single.workers.join() === 'worker_cpu_bg.wasm', 'not the one-thread worker: ' + single.badge + ' ' + single.workers);
    // A page that is not isolated fetches the one-thread worker instead: it fits as well.
    assertFirstVisitFits(single.requested, 'not isolated');
    // The badge names the CPU once, with the build and the thread count.
    for (const { badge } of [threaded, single]) {
      assert(/^CPU \(burn flex, wasm SIMD, (\d+ threads|one thread)\)$/.test(badge), 'badge: ' + badge);
    }
    // Everything but the backend's name and the timings, byte for byte.
    const result = ({ backend, throughput, ...rest }) => JSON.stringify(rest);
    const [a, b] = [result(threaded.run), result(single.run)];
    let at = 0;
    while (at < a.length && a[at] === b[at]) at++;
    assert(a === b, `the records differ at character ${at}: ${a.slice(Math.max(0, at - 60), at + 60)} vs ${b.slice(Math.max(0, at - 60), at + 60)}`);
    assert(threaded.run.history.length >= 2 && threaded.run.evaluations.length >= 2, `too short a run to compare: ${threaded.run.history.length} steps, ${threaded.run.evaluations.length} evaluations`);
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
  });

  await test('on a host without COOP/COEP the service worker isolates the page once and the CPU trains on every core', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, plainBase, TINY, errors);
    // coi-serviceworker.js installs itself and reloads the page, isolated.
    let isolated = false;
    for (let i = 0; i < 60 && !isolated; i++) {
      isolated = await page.evaluate(() => self.crossOriginIsolated).catch(() => false);
      if (!isolated) await page.waitForTimeout(500);
    }
    assert(isolated, 'the page never became cross-origin isolated');
    await page.waitForSelector('#train', { timeout: 60000 });
    await page.click('#train');
    await waitStatus(page, /^Finished/);
    const badge = await page.$eval('#backend-badge', (el) => el.textContent);
    assert(/\d+ threads/.test(badge), 'badge: ' + badge);
    // The one-thread worker is never fetched: the page waits for the reload instead.
    const workers = page.requested.filter((u) => /worker_cpu\w*_bg\.wasm/.test(u)).map((u) => u.split('/').pop());
    assert(!workers.includes('worker_cpu_bg.wasm'), 'the one-thread worker was downloaded too: ' + workers);
    assert((await page.$eval('meta[http-equiv="Content-Security-Policy"]', (el) => el.content)).includes("default-src 'self'"), 'no CSP');
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('history survives a reload, overlays two runs, and clears', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, TINY, errors);
    for (const seed of ['1', '2']) {
      await page.$eval('#knob-seed', (el, v) => { el.value = v; el.dispatchEvent(new Event('change', { bubbles: true })); }, seed);
      await page.click('#train');
      await waitStatus(page, /^Finished/);
    }
    await page.reload();
    await page.waitForSelector('#history li', { timeout: 60000 });
    const entries = await page.$$eval('#history li', (els) => els.length);
    assert(entries >= 2, `history has ${entries} entries after a reload`);
    const boxes = await page.$$('#history input.overlay');
    await boxes[0].check();
    await boxes[1].check();
    await page.waitForFunction(() => {
      const html = document.querySelector('#chart-loss').innerHTML;
      return html.includes('run 1 total') && html.includes('run 2 total');
    }, null, { timeout: 10000 });
    await page.click('#clear-history');
    await page.waitForSelector('#history-empty', { timeout: 5000 });
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('a worker that crashes mid-run is replaced; a stale message is dropped', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, TINY.replace('steps=4', 'steps=400'), errors);
    const workers = [];
    page.on('worker', (w) => workers.push(w));
    await page.click('#train');
    await waitStatus(page, /^Training: step [1-9]/, 120000);
    const worker = page.workers()[0];
    // A message about a run that is no longer current: an evaluation with no probes and a huge
    // step. Applied, it would move the progress to 999 (and once crashed the charts).
    await worker.evaluate(() => postMessage({ Events: { run: 0, step: 999, events: [{ Evaluation: { step: 999, probes: [], local: [], local_images: [], embedding: [], embedding_labels: [], similarity: [] } }] } }));
    await page.waitForTimeout(500);
    assert(!(await status(page)).includes('999'), 'stale message applied: ' + await status(page));
    // An uncaught error in the worker: the page says so and starts a new worker.
    await worker.evaluate(() => setTimeout(() => { throw new Error('simulated crash'); }, 0));
    await waitStatus(page, /^Stopped: the training worker stopped/, 30000);
    const notice = await page.$eval('.notice', (el) => el.textContent);
    assert(notice.includes('new worker'), 'no notice about the new worker: ' + notice);
    await page.$eval('#knob-steps', (el) => { el.value = '3'; el.dispatchEvent(new Event('change', { bubbles: true })); });
    await page.click('#train');
    await waitStatus(page, /^Finished/);
    await context.close();
  });

  await test('a preset sweep with seeds draws its effect chart, its link reproduces it, Cancel stops it', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, 'v=2', errors);
    await page.uncheck('#prefer-gpu');
    await page.selectOption('#preset', 'colour-shape');
    await page.waitForSelector('#preset-help', { timeout: 5000 });
    await page.waitForFunction(() => location.search.includes('data=colour_shape') && location.search.includes('sweep=colour_jitter:0,0.8'), null, { timeout: 5000 });
    const small = { steps: 3, train_size: 64, test_size: 32, batch: 8, head_width: 16, out_dim: 8 };
    for (const [key, value] of Object.entries(small)) {
      await page.$eval(`#knob-${key}`, (el, v) => {
        el.value = String(v);
        el.dispatchEvent(new Event(el.type === 'range' ? 'input' : 'change', { bubbles: true }));
      }, value);
    }
    await page.$eval('#sweep-seeds', (el) => { el.value = '2'; el.dispatchEvent(new Event('change', { bubbles: true })); });
    await page.waitForFunction(() => location.search.includes('steps=3') && location.search.includes('seeds=2'), null, { timeout: 5000 });
    assert((await page.$eval('#run-sweep', (el) => el.textContent)).includes('4 runs'), 'run button names the grid size');
    await page.click('#run-sweep');
    await page.waitForFunction(() => document.querySelector('#sweep-status').textContent.startsWith('sweep finished: 4 of 4'), null, { timeout: 300000 });
    const points = Number(await page.$eval('#chart-effect', (el) => el.dataset.points));
    assert(points === 4, `effect chart has ${points} points`);
    const chart = await page.$eval('#chart-effect', (el) => el.innerHTML);
    assert(chart.includes('shape chance') && chart.includes('<circle'), 'effect chart legend and markers');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-sweep')]);
    const rows = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
    assert(rows.length === 5 && rows[0].startsWith('colour_jitter,seed,config'), 'sweep CSV: ' + rows[0]);
    await page.screenshot({ path: path.join(shots, 'sweep.png'), fullPage: true });
    const link = await page.evaluate(() => location.href);
    const { page: again, context: c2 } = await openPage(cpuBrowser, link.split('?')[0], link.split('?')[1], errors);
    assert(await again.$eval('#sweep-values-0', (el) => el.value) === '0,0.8', 'sweep values not restored');
    assert(await again.$('#preset-help') !== null, 'preset explanation not shown for its link');
    await again.uncheck('#prefer-gpu');
    await again.click('#run-sweep');
    await again.waitForFunction(() => document.querySelector('#sweep-status').textContent.startsWith('sweep finished: 4 of 4'), null, { timeout: 300000 });
    assert(await again.$eval('#chart-effect', (el) => el.innerHTML) === chart, 'the link drew a different effect chart');
    await again.click('#run-sweep');
    await again.click('#cancel-sweep');
    await again.waitForFunction(() => document.querySelector('#sweep-status').textContent.includes('cancelled'), null, { timeout: 10000 });
    const { page: bad, context: c3 } = await openPage(cpuBrowser, base, 'v=2&bits=7&sweep=bits:0,99', errors);
    assert((await bad.$eval('#url-warnings', (el) => el.textContent)).includes('bits=99'), 'bad sweep not named');
    assert(await bad.$eval('#knob-bits', (el) => el.value) === '7', 'rest of the link lost');
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await Promise.all([context.close(), c2.close(), c3.close()]);
  });

  await test('a first visit shows every finding\'s reference chart and verdict within 2 s; the story\'s run lands on its chart', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, '', errors);
    // Milliseconds from navigation until every finding's figure is drawn with its verdict.
    // Gives up after 20 s, naming the figures still empty.
    const ms = await page.evaluate(() => new Promise((resolve, reject) => {
      const charts = () => [...document.querySelectorAll('svg[id^="chart-ref-"]')];
      const ready = () => {
        const all = charts();
        return all.length >= 5 && all.every((c) => Number(c.dataset.points) > 0)
          && document.querySelectorAll('[id^="ref-verdict-"]').length === all.length;
      };
      const poll = () => {
        if (ready()) return resolve(performance.now());
        if (performance.now() > 20000) {
          const empty = charts().filter((c) => !(Number(c.dataset.points) > 0)).map((c) => c.id);
          return reject(new Error(`${charts().length} reference figures, empty: ${empty.join(', ')}`));
        }
        setTimeout(poll, 20);
      };
      poll();
    }));
    const figures = await page.$$eval('svg[id^="chart-ref-"]', (els) => els.length);
    console.log(`     ${figures} reference figures drawn ${ms.toFixed(0)} ms after navigation`);
    assert(ms <= 2000, `reference figures took ${ms} ms`);
    assert((await page.textContent('#ref-colour-shape')).includes('reproduce --scale small'), 'the reference is not marked as such');
    // The opening story's chart shows its reference before any training too.
    await page.waitForFunction(() => Number(document.querySelector('#chart-effect').dataset.points) > 0, null, { timeout: 5000 });
    assert(await page.$('#effect-reference') !== null, 'the story has no reference caption');
    await page.click('#run-finding');
    await page.waitForFunction(() => document.querySelector('#sweep-status').textContent.startsWith('sweep finished: 2 of 2'), null, { timeout: 300000 });
    const result = await page.textContent('#sweep-result');
    assert(!/not shown|1 seed\(s\)/.test(result), 'a one-seed run worded as a failed verdict: ' + result);
    assert((await page.textContent('#sweep-comparison')).includes('Compared with the reference'), 'no comparison with the reference');
    assert((await page.$$('#sweep-comparison li')).length >= 2, 'no statement per point');
    assert(await page.$('#settings-changed') === null, 'a settings-changed warning the visitor did not cause');
    assert((await page.$eval('#chart-effect', (el) => el.innerHTML)).includes('(yours)'), 'the run is not on the reference chart');
    const box = await page.$eval('#sweep-result', (el) => el.getBoundingClientRect().top);
    assert(box >= -5 && box < 300, `the sweep's result is not where the eye is (top at ${box})`);
    await (await page.$('#sweep-result')).screenshot({ path: path.join(shots, 'reference-figure.png') });
    await accessible(page, 'after the story');
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('a link with its result reproduces on the CPU in the page; one number changed says different', async () => {
    const errors = [];
    const out = execFileSync(cli, ['train', '--quiet', '--config', TINY], { encoding: 'utf8' });
    const link = out.match(/^link with result: \?(.+)$/m)[1];
    const { page, context } = await openPage(cpuBrowser, base, link, errors);
    assert((await page.textContent('#expected-result')).includes('contrastive'), 'the expected result is not shown');
    await page.click('#train');
    await page.waitForSelector('#reproduction', { timeout: 120000 });
    const said = await page.textContent('#reproduction');
    assert(said.startsWith('Reproduced') && said.includes('3 decimals'), 'not reproduced: ' + said);
    await page.click('#copy-result-link');
    const copied = await page.$eval('#result-link', (el) => el.value);
    assert(copied.endsWith('?' + link), `page link ${copied} vs CLI ${link}`);
    const [head, digit] = link.split('digit:');
    const v = Number(digit);
    const changed = `${head}digit:${(v >= 0.5 ? v - 0.25 : v + 0.25).toFixed(3)}`;
    const { page: other, context: c2 } = await openPage(cpuBrowser, base, changed, errors);
    await other.click('#train');
    await other.waitForSelector('#reproduction', { timeout: 120000 });
    const differs = await other.textContent('#reproduction');
    assert(differs.startsWith('Different') && differs.includes('digit: expected'), 'not named: ' + differs);
    const { page: bad, context: c3 } = await openPage(cpuBrowser, base, link.replace(/result=[^&]*/, 'result=1,cpu,zz'), errors);
    const warning = await bad.textContent('#url-warnings');
    assert(warning.includes('result=') && warning.includes('16 hex digits'), 'malformed result not named: ' + warning);
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await Promise.all([context.close(), c2.close(), c3.close()]);
  });

  await test('three browser shards and one CLI shard merge in the page to the CLI merge, byte for byte; another grid is refused', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, `${TINY}&sweep=seed:0,1,2,3`, errors);
    await page.uncheck('#prefer-gpu');
    const query = await page.evaluate(() => location.search.slice(1));
    await page.$eval('#shard-count', (el) => { el.value = '4'; el.dispatchEvent(new Event('change', { bubbles: true })); });
    const files = [];
    for (const k of [1, 2, 3]) {
      await page.$eval('#shard-index', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('change', { bubbles: true })); }, k);
      await page.click('#run-sweep');
      await page.waitForFunction((k) => document.querySelector('#sweep-status').textContent.startsWith(`sweep finished: 1 of 1 runs of shard ${k}/4`), k, { timeout: 120000 });
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-shard')]);
      const file = path.join(shots, `page-shard-${k}.json`);
      await download.saveAs(file);
      files.push(file);
    }
    const cliShard = path.join(shots, 'cli-shard-4.json');
    execFileSync(cli, ['sweep', '--quiet', '--config', query, '--shard', '4/4', '--json', cliShard]);
    files.push(cliShard);
    const merged = (ext) => path.join(shots, `cli-merged.${ext}`);
    execFileSync(cli, ['merge', ...files, '--out', merged('csv'), '--json', merged('json'), '--svg', merged('svg')]);
    await page.setInputFiles('#merge-files', files);
    await page.waitForSelector('#merge-note', { timeout: 30000 });
    for (const [id, ext] of [['#merged-csv', 'csv'], ['#merged-json', 'json'], ['#merged-svg', 'svg']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
      const mine = fs.readFileSync(await download.path(), 'utf8');
      assert(mine === fs.readFileSync(merged(ext), 'utf8'), `the page's merged ${ext} differs from the CLI's`);
    }
    assert(Number(await page.$eval('#chart-effect', (el) => el.dataset.points)) > 0, 'no merged chart');
    assert(await page.$('#effect-table') !== null, 'no merged table');
    const other = path.join(shots, 'cli-other-grid.json');
    execFileSync(cli, ['sweep', '--quiet', '--config', query.replace('steps=4', 'steps=3'), '--shard', '1/4', '--json', other]);
    await page.setInputFiles('#merge-files', [files[0], other]);
    await page.waitForSelector('#merge-error', { timeout: 30000 });
    const refused = await page.textContent('#merge-error');
    assert(refused.includes('another sweep') && refused.includes('steps=3 (not 4)'), 'refusal does not name the difference: ' + refused);
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('a reload in the middle of a 6-run sweep resumes it and ends with the uninterrupted CSV', async () => {
    const errors = [];
    const query = `${TINY}&sweep=seed:0,1,2;steps:3,4`;
    const csvOf = async (page) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-sweep')]);
      return fs.readFileSync(await download.path(), 'utf8');
    };
    const finished = (page) => page.waitForFunction(() => document.querySelector('#sweep-status').textContent.startsWith('sweep finished: 6 of 6'), null, { timeout: 300000 });
    const { page: whole, context: c1 } = await openPage(cpuBrowser, base, query, errors);
    await whole.click('#run-sweep');
    await finished(whole);
    const expected = await csvOf(whole);
    await c1.close();
    const { page, context } = await openPage(cpuBrowser, base, query, errors);
    await page.click('#run-sweep');
    await page.waitForFunction(() => document.querySelector('#sweep-status').textContent.startsWith('sweep run 4 of 6'), null, { timeout: 120000 });
    await page.reload();
    await page.waitForSelector('#resume', { timeout: 60000 });
    assert(/at [3-5] of 6 runs/.test(await page.textContent('#resume-sweep')), await page.textContent('#resume-sweep'));
    await page.click('#resume');
    await page.waitForFunction(() => /^sweep (run [4-6]|finished: 6) of 6/.test(document.querySelector('#sweep-status').textContent), null, { timeout: 60000 });
    await finished(page);
    const resumed = await csvOf(page);
    assert(resumed === expected, 'the resumed sweep\'s CSV differs from the uninterrupted one:\n' + expected + '\n---\n' + resumed);
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });

  await test('a saved model loads back to the run\'s probes; a truncated or foreign file is refused, nothing lost', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, TINY, errors);
    await page.click('#train');
    await waitStatus(page, /^Finished/);
    const table = await page.textContent('#probe-table');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
    const file = path.join(shots, 'page-model.safetensors');
    await download.saveAs(file);
    const { page: fresh, context: c2 } = await openPage(cpuBrowser, base, 'v=2', errors);
    await fresh.setInputFiles('#load-model', file);
    await waitStatus(fresh, /^Evaluated the loaded model/, 120000);
    assert(await fresh.textContent('#probe-table') === table, 'evaluated probes differ from the run\'s');
    assert((await fresh.evaluate(() => location.search)).includes('width=0.25'), 'the model\'s link was not restored');
    const bytes = fs.readFileSync(file);
    const cut = path.join(shots, 'cut.safetensors');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    await fresh.setInputFiles('#load-model', cut);
    await fresh.waitForFunction(() => ((document.querySelector('#model-error') || {}).textContent || '').includes('truncated'), null, { timeout: 30000 });
    const header = Buffer.from('{"weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const foreign = path.join(shots, 'foreign.safetensors');
    fs.writeFileSync(foreign, Buffer.concat([len, header, Buffer.alloc(8)]));
    await fresh.setInputFiles('#load-model', foreign);
    await fresh.waitForFunction(() => ((document.querySelector('#model-error') || {}).textContent || '').includes('not a Contrastive Playground model'), null, { timeout: 30000 });
    assert(await fresh.textContent('#probe-table') === table, 'a refused file changed what was on screen');
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await Promise.all([context.close(), c2.close()]);
  });

  await test('a phone-sized screen has one column and no sideways scrolling', async () => {
    const errors = [];
    const { page, context } = await openPage(cpuBrowser, base, '', errors, { width: 390, height: 844 });
    await page.waitForFunction(() => document.querySelector('#fingerprint').textContent.match(/[0-9a-f]{16}/), null, { timeout: 60000 });
    const [scroll, width] = await page.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth]);
    assert(scroll <= width, `page is ${scroll} px wide on a ${width} px screen`);
    await page.click('#train');
    await page.screenshot({ path: path.join(shots, 'phone.png'), fullPage: true });
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await context.close();
  });
  await cpuBrowser.close();
  server.close();
  plainServer.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
