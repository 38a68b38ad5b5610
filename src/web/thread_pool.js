// The JavaScript half of `thread_pool.rs`: starts the pool's Web Workers, each importing the
// threaded worker's module on the shared memory and running one rayon thread, then builds the
// pool on the calling thread. Adapted from wasm-bindgen-rayon 1.3.0's workerHelpers.no-bundler.js
// (Copyright 2022 Google Inc., Apache-2.0).

function waitForMsgType(target, type) {
  return new Promise((resolve) => {
    target.addEventListener('message', function onMsg({ data }) {
      if (data == null || data.type !== type) return;
      target.removeEventListener('message', onMsg);
      resolve(data);
    });
  });
}

// Run as a pool worker: this file is also the workers' script.
waitForMsgType(self, 'cpg_pool_worker_init').then(async (data) => {
  const pkg = await import(data.mainJS);
  await pkg.default(data.module, data.memory);
  postMessage({ type: 'cpg_pool_worker_ready' });
  pkg.cpg_pool_start_worker(data.receiver);
});

// Kept so that no browser collects a worker that shares memory but has no other reference.
let workers;

export async function startWorkers(module, memory, builder) {
  const init = {
    type: 'cpg_pool_worker_init',
    module,
    memory,
    receiver: builder.receiver(),
    mainJS: builder.mainJS(),
  };
  workers = await Promise.all(
    Array.from({ length: builder.numWorkers() }, async () => {
      // Fetched as a blob so that the worker starts even where this script is on another origin.
      const blob = await fetch(import.meta.url).then((r) => r.blob());
      const url = URL.createObjectURL(blob);
      const worker = new Worker(url, { type: 'module' });
      worker.postMessage(init);
      await waitForMsgType(worker, 'cpg_pool_worker_ready');
      URL.revokeObjectURL(url);
      return worker;
    }),
  );
  builder.build();
}
