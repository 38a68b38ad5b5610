// TensorFlow.js reference of Contrastive Playground's training step, in the page's browser.
// Same ConvNet (3 x [3x3 conv stride 2 'same' -> BN -> ReLU], 32/64/64, flatten, dense 128 -> BN
// -> ReLU), head depth 2 (256 -> BN -> ReLU -> 64), NT-Xent tau 0.2, Adam 1e-3, same input size.
// The batch is made once: forward + backward + update only. Images are views (2 per pair).
// Query: ?backend=webgpu|wasm|cpu&batch=64&channels=6&size=28&steps=10&warmup=2
'use strict';
(async () => {
  const q = new URLSearchParams(location.search);
  const num = (k, d) => Number(q.get(k) || d);
  const backend = q.get('backend') || 'webgpu';
  const [batch, channels, size, steps, warmup] = [num('batch', 64), num('channels', 6), num('size', 28), num('steps', 10), num('warmup', 2)];
  const out = document.getElementById('out');
  try {
    if (backend === 'wasm') tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`backend ${backend} unavailable`);
    await tf.ready();
    const conv = (filters, first) => [
      tf.layers.conv2d(Object.assign({ filters, kernelSize: 3, strides: 2, padding: 'same' }, first ? { inputShape: [size, size, channels] } : {})),
      tf.layers.batchNormalization(), tf.layers.reLU()];
    const net = tf.sequential({ layers: [
      ...conv(32, true), ...conv(64), ...conv(64), tf.layers.flatten(),
      tf.layers.dense({ units: 128 }), tf.layers.batchNormalization(), tf.layers.reLU(),
      tf.layers.dense({ units: 256 }), tf.layers.batchNormalization(), tf.layers.reLU(),
      tf.layers.dense({ units: 64 })] });
    const opt = tf.train.adam(1e-3);
    const n2 = 2 * batch;
    const x = tf.randomUniform([n2, size, size, channels]);
    const mask = tf.eye(n2).mul(1e9);
    const target = tf.oneHot(tf.concat([tf.range(batch, n2, 1, 'int32'), tf.range(0, batch, 1, 'int32')]), n2);
    const loss = () => {
      const z = net.apply(x, { training: true });
      const h = tf.div(z, tf.norm(z, 2, 1, true).add(1e-12));
      const sim = tf.matMul(h, h, false, true).div(0.2).sub(mask);
      return tf.losses.softmaxCrossEntropy(target, sim);
    };
    const step = () => opt.minimize(loss, true);
    for (let i = 0; i < warmup; i++) { const l = step(); await l.data(); l.dispose(); }
    const t0 = performance.now();
    let last;
    for (let i = 0; i < steps; i++) { if (last) last.dispose(); last = step(); }
    const value = (await last.data())[0];
    const dt = (performance.now() - t0) / 1000;
    const result = { name: `tfjs-${backend}`, tfjs: tf.version.tfjs, batch, input: [n2, size, size, channels],
      params: net.countParams(), s_per_step: dt / steps, images_per_s: steps * n2 / dt, last_loss: value };
    out.textContent = JSON.stringify(result);
    window.benchResult = result;
  } catch (e) {
    out.textContent = 'error: ' + e;
    window.benchResult = { name: `tfjs-${backend}`, error: String(e) };
  }
})();
