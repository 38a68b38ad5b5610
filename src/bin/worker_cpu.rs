//! The page's CPU training worker (wasm32, burn flex only): it loads with the page.

fn main() {
    cpg::worker_main();
}
