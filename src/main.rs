//! One binary: the command-line runner natively, the page on wasm32.

#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_family = "wasm"))]
fn main() -> std::process::ExitCode {
    cpg::cli::main()
}

#[cfg(target_family = "wasm")]
fn main() {
    cpg::web::app::mount();
}
