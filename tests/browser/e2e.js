// End-to-end tests of the page in Debian's headless Chromium (playwright-core).
// Usage: node tests/browser/e2e.js <dist dir> <native CLI binary> <screenshot dir>
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');
const { serve } = require('./static-server');

const [distArg, cli, shots] = process.argv.slice(2);
const dist = distArg && path.resolve(distArg);
if (!distArg || !cli || !shots) {
  console.error('usage: node e2e.js <dist> <cli> <screenshots>');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });

const FLAGS = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic'];
const launch = (webgpu) => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: webgpu ? [...FLAGS, '--enable-unsafe-webgpu'] : FLAGS,
});

// A tiny experiment: SwiftShader's WebGPU is correct but slow.
const TINY = 'v=1&data=digits&train_size=64&test_size=32&batch=8&width=0.25&head_width=16&out_dim=8&steps=4&eval_every=1&checkpoints=1';

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
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack || e}`);
  }
}
function assert(cond, message) { if (!cond) throw new Error(message); }

async function openPage(browser, base, query, errors) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url()}`); });
  const t0 = Date.now();
  await page.goto(`${base}/${query ? '?' + query : ''}`);
  await page.waitForSelector('#train', { timeout: 60000 });
  return { page, loadMs: Date.now() - t0 };
}

(async () => {
  const server = await serve([['/', dist]]);
  const base = `http://127.0.0.1:${server.address().port}`;
  const gpuBrowser = await launch(true);

  await test('page loads with no console errors', async () => {
    const errors = [];
    const { page, loadMs } = await openPage(gpuBrowser, base, '', errors);
    await page.waitForFunction(() => document.querySelector('#fingerprint').textContent.match(/[0-9a-f]{16}/), null, { timeout: 60000 });
    await page.screenshot({ path: path.join(shots, 'load.png'), fullPage: true });
    console.log(`     load-to-interactive ${loadMs} ms`);
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await page.close();
  });

  await test('moving a slider changes the URL', async () => {
    const errors = [];
    const { page } = await openPage(gpuBrowser, base, '', errors);
    await page.$eval('#knob-bits', (el) => { el.value = '13'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await page.waitForFunction(() => location.search.includes('bits=13'), null, { timeout: 5000 });
    await page.selectOption('#knob-loss', 'swd_cube');
    await page.waitForFunction(() => location.search.includes('loss=swd_cube'), null, { timeout: 5000 });
    await page.close();
  });

  await test('a crafted link restores its values and warns about bad parameters', async () => {
    const errors = [];
    const { page } = await openPage(gpuBrowser, base, 'v=1&bits=12&loss=logsumexp&tau=0.1&colour=red&lr=abc&batch=99999', errors);
    assert(await page.$eval('#knob-bits', (el) => el.value) === '12', 'bits not restored');
    assert(await page.$eval('#knob-loss', (el) => el.value) === 'logsumexp', 'loss not restored');
    const text = await page.$eval('#url-warnings', (el) => el.textContent);
    for (const needle of ['colour', 'unknown parameter', 'lr', 'not a number', 'batch', 'out of range', 'using 256']) {
      assert(text.includes(needle), `warning lacks ${needle}: ${text}`);
    }
    await page.screenshot({ path: path.join(shots, 'warnings.png') });
    await page.click('#dismiss-warnings');
    assert(await page.$('#url-warnings') === null, 'warning not dismissed');
    assert(!(await page.evaluate(() => location.search)).includes('colour'), 'bad key kept in the URL');
    await page.close();
  });

  await test('the fingerprint shown for a link equals the CLI one', async () => {
    const query = 'v=1&data=digit_on_objects&unique_digits=7&train_size=300&test_size=40&seed=5';
    const expected = cliFingerprint(query);
    const { page } = await openPage(gpuBrowser, base, query, []);
    await page.waitForFunction((fp) => document.querySelector('#fingerprint').textContent.includes(fp), expected, { timeout: 60000 });
    await page.close();
  });

  await test('trains on WebGPU, charts receive points, clicks stay fast', async () => {
    const errors = [];
    const { page } = await openPage(gpuBrowser, base, TINY.replace('steps=4', 'steps=6'), errors);
    await page.click('#train');
    await page.waitForFunction(() => document.querySelector('#backend-badge').textContent.includes('WebGPU'), null, { timeout: 120000 });
    await page.waitForFunction(() => Number(document.querySelector('#chart-loss').dataset.points) > 0, null, { timeout: 300000 });
    // A click while training: time from click to the status line changing.
    const ms = await page.evaluate(() => new Promise((resolve) => {
      const status = document.querySelector('#status');
      const t0 = performance.now();
      new MutationObserver(() => resolve(performance.now() - t0)).observe(status, { childList: true, subtree: true, characterData: true });
      document.querySelector('#pause').click();
    }));
    console.log(`     click handled in ${ms.toFixed(1)} ms while training`);
    assert(ms < 200, `click took ${ms} ms`);
    await page.click('#pause'); // resume
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('finished'), null, { timeout: 300000 });
    assert(Number(await page.$eval('#chart-probes', (el) => el.dataset.points)) > 0, 'probe chart empty');
    await page.screenshot({ path: path.join(shots, 'webgpu-trained.png'), fullPage: true });
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await page.close();
  });
  await test('dropped files: a corrupt one is refused, an MNIST pair becomes the base set', async () => {
    const errors = [];
    const { page } = await openPage(gpuBrowser, base, 'v=1&data=digits', errors);
    const drop = (files) => page.evaluate((files) => {
      const dt = new DataTransfer();
      for (const [name, bytes] of files) dt.items.add(new File([new Uint8Array(bytes)], name));
      document.querySelector('#drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    await drop([['broken.png', [0x89, 0x50, 0x4e, 0x47, 1, 2, 3]]]);
    await page.waitForSelector('#file-error', { timeout: 10000 });
    const message = await page.$eval('#file-error', (el) => el.textContent);
    assert(message.includes('broken.png'), 'error names the file: ' + message);
    // A 20-image MNIST pair written here.
    const n = 20;
    const images = [0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28];
    for (let i = 0; i < n * 784; i++) images.push((i * 7) % 256);
    const labels = [0, 0, 8, 1, 0, 0, 0, n];
    for (let i = 0; i < n; i++) labels.push(i % 10);
    await drop([['my-images-idx3-ubyte', images], ['my-labels-idx1-ubyte', labels]]);
    await page.waitForFunction(() => location.search.includes('base=file') && !location.search.includes('data=digits'), null, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('#fingerprint').textContent.includes('MNIST'), null, { timeout: 30000 });
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await page.close();
  });
  await gpuBrowser.close();

  const cpuBrowser = await launch(false);
  await test('without WebGPU it trains on the CPU fallback, same first-step loss as the CLI', async () => {
    const errors = [];
    const { page } = await openPage(cpuBrowser, base, TINY, errors);
    const expectedFp = cliFingerprint(TINY);
    await page.waitForFunction((fp) => document.querySelector('#fingerprint').textContent.includes(fp), expectedFp, { timeout: 60000 });
    await page.click('#train');
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('finished'), null, { timeout: 300000 });
    const badge = await page.$eval('#backend-badge', (el) => el.textContent + ' / ' + el.title);
    assert(badge.includes('CPU') && /no WebGPU|WebGPU unavailable/.test(badge), 'badge: ' + badge);
    assert(Number(await page.$eval('#chart-loss', (el) => el.dataset.points)) > 0, 'loss chart empty');
    // Export: the run as JSON, with the link and the fingerprint.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert(exported.fingerprint === expectedFp && exported.config.startsWith('v=1'), 'exported run.json: ' + exported.config);
    const pageLoss = exported.history[0].loss;
    const cliLoss = cliFirstLoss(TINY);
    console.log(`     first-step loss: page ${pageLoss}, CLI ${cliLoss}`);
    assert(Math.abs(pageLoss - cliLoss) <= 1e-4 * Math.max(1, Math.abs(cliLoss)), `page ${pageLoss} vs CLI ${cliLoss}`);
    assert(exported.history.length === 4, 'exported history length ' + exported.history.length);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert(fs.readFileSync(await csv.path(), 'utf8').startsWith('step,loss,alignment'), 'CSV header');
    await page.screenshot({ path: path.join(shots, 'cpu-trained.png'), fullPage: true });
    assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
    await page.close();
  });
  await test('a preset sweep draws its effect chart, its link reproduces it, A/B pin overlays', async () => {
    const errors = [];
    const { page } = await openPage(cpuBrowser, base, '', errors);
    await page.uncheck('#prefer-gpu');
    await page.selectOption('#preset', 'colour-shape');
    await page.waitForSelector('#preset-help', { timeout: 5000 });
    await page.waitForFunction(() => location.search.includes('data=colour_shape') && location.search.includes('sweep=colour_jitter:0,0.8'), null, { timeout: 5000 });
    // Shrink the preset to seconds per run, through the knobs a user would use.
    const small = { steps: 3, train_size: 64, test_size: 32, batch: 8, head_width: 16, out_dim: 8, eval_every: 1, checkpoints: 1 };
    for (const [key, value] of Object.entries(small)) {
      await page.$eval(`#knob-${key}`, (el, v) => {
        el.value = String(v);
        el.dispatchEvent(new Event(el.type === 'range' ? 'input' : 'change', { bubbles: true }));
      }, value);
    }
    await page.waitForFunction(() => location.search.includes('steps=3') && location.search.includes('checkpoints=1'), null, { timeout: 5000 });
    assert((await page.$eval('#run-sweep', (el) => el.textContent)).includes('2 runs'), 'run button names the grid size');
    await page.click('#run-sweep');
    await page.waitForFunction(() => document.querySelector('#sweep-status').textContent.startsWith('sweep finished: 2 of 2'), null, { timeout: 300000 });
    // colour and shape lines, two points each; chance lines are not counted.
    const points = Number(await page.$eval('#chart-effect', (el) => el.dataset.points));
    assert(points === 4, `effect chart has ${points} points`);
    const chart = await page.$eval('#chart-effect', (el) => el.innerHTML);
    assert(chart.includes('shape chance') && chart.includes('<circle'), 'effect chart legend and markers');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-sweep')]);
    const rows = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
    assert(rows.length === 3 && rows[0].startsWith('colour_jitter,config,fingerprint'), 'sweep CSV: ' + rows[0]);
    await page.screenshot({ path: path.join(shots, 'sweep.png'), fullPage: true });
    const link = await page.evaluate(() => location.href);

    // A/B: pin the last run, train once more, the pinned curves are drawn under the new ones.
    await page.click('#pin');
    await page.click('#train');
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('finished'), null, { timeout: 300000 });
    assert((await page.$eval('#chart-loss', (el) => el.innerHTML)).includes('pinned total'), 'pinned run not overlaid');
    assert(await page.$('#pinned-note') !== null, 'pinned note');

    // The link alone restores the sweep and reproduces the same effect chart.
    const errors2 = [];
    const { page: again } = await openPage(cpuBrowser, link.replace(/\/\?.*$/, ''), link.split('?')[1], errors2);
    assert(await again.$eval('#sweep-key-0', (el) => el.value) === 'colour_jitter', 'sweep knob not restored');
    assert(await again.$eval('#sweep-values-0', (el) => el.value) === '0,0.8', 'sweep values not restored');
    assert(await again.$('#preset-help') !== null, 'preset explanation not shown for its link');
    await again.uncheck('#prefer-gpu');
    await again.click('#run-sweep');
    await again.waitForFunction(() => document.querySelector('#sweep-status').textContent.startsWith('sweep finished: 2 of 2'), null, { timeout: 300000 });
    assert(await again.$eval('#chart-effect', (el) => el.innerHTML) === chart, 'the link drew a different effect chart');
    // Cancel stops the grid and says so.
    await again.click('#run-sweep');
    await again.click('#cancel-sweep');
    await again.waitForFunction(() => document.querySelector('#sweep-status').textContent.includes('cancelled'), null, { timeout: 10000 });
    // A broken sweep in a link is named, the rest of the link still loads.
    const { page: bad } = await openPage(cpuBrowser, base, 'v=1&bits=7&sweep=bits:0,99', errors2);
    assert((await bad.$eval('#url-warnings', (el) => el.textContent)).includes('bits=99'), 'bad sweep not named');
    assert(await bad.$eval('#knob-bits', (el) => el.value) === '7', 'rest of the link lost');
    assert(errors.length === 0 && errors2.length === 0, 'console errors: ' + errors.concat(errors2).join(' | '));
    await Promise.all([page.close(), again.close(), bad.close()]);
  });
  await cpuBrowser.close();
  server.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
