//! The training worker of the page (wasm32): Trunk builds it as a Web Worker.

#[cfg(target_family = "wasm")]
fn main() {
    cpg::web::worker::start();
}

#[cfg(not(target_family = "wasm"))]
fn main() {
    eprintln!("the worker runs in the browser; use `contrastive-playground` on the command line");
}
