//! The page's WebGPU training worker (wasm32, the `webgpu` feature): the page loads it only when
//! the browser gives a WebGPU adapter. It trains on the CPU too when asked.

fn main() {
    cpg::worker_main();
}
