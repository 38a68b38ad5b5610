//! One binary: the command-line runner natively, the page on wasm32.

#[cfg(not(target_family = "wasm"))]
fn main() -> std::process::ExitCode {
    allocator::keep_freed_memory();
    cpg::cli::main()
}

#[cfg(target_family = "wasm")]
fn main() {
    cpg::web::app::mount();
}

/// The command line's allocator: mimalloc, told to keep the memory training frees.
#[cfg(not(target_family = "wasm"))]
mod allocator {
    #[global_allocator]
    static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

    /// mimalloc's `mi_option_purge_delay`: its place in v3's `mi_option_e` (`mimalloc.h`),
    /// which the bindings do not name.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

    /// Training frees and allocates the same large buffers every step. By default mimalloc
    /// returns freed memory to the OS after a second (`purge_delay`), so later buffers come back
    /// as fresh pages the kernel must fault in and zero: with two runs of a sweep at once that
    /// was a quarter of the CPU time, in system calls. Keeping freed memory made such a sweep
    /// 15 % faster (`docs/performance.md`); peak memory is unchanged. `MIMALLOC_PURGE_DELAY` in
    /// the environment wins.
    pub fn keep_freed_memory() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: sets a plain integer option, before any thread but this one exists.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_option_set_is_mimallocs_purge_delay() {
            let get = |option| unsafe { libmimalloc_sys::mi_option_get(option) };
            if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
                return;
            }
            // v3's defaults: purge_delay 1000 ms, between eager_commit_delay 1 and
            // use_numa_nodes 0.
            let option = super::MI_OPTION_PURGE_DELAY;
            assert_eq!(
                (get(option - 1), get(option), get(option + 1)),
                (1, 1000, 0)
            );
            super::keep_freed_memory();
            assert_eq!(get(option), -1);
        }
    }
}
