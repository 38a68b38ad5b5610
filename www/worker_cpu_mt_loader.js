// Starts the threaded CPU training worker (a module worker): the wasm module on a shared memory,
// rayon's thread pool (this worker's thread and one Web Worker per other logical core, at most
// 16 threads in all), then the training loop.
// The page loads it only when it is cross-origin isolated; if anything here fails, the worker
// reports the error and the page falls back to the single-thread worker.
import init, { initThreadPool, start } from './worker_cpu_mt.js';

const threads = Math.max(1, Math.min(self.navigator.hardwareConcurrency || 1, 16));
await init({ module_or_path: new URL('./worker_cpu_mt_bg.wasm', import.meta.url) });
await initThreadPool(threads - 1);
start();
