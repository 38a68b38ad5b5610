//! Data parallelism: on every core natively and in the page's threaded worker (rayon's pool,
//! shared with burn's CPU backend so the two never compete for the cores), in order in the
//! single-thread worker. Results never depend on the thread count.

/// The threads the work is shared between: rayon's pool natively and in the threaded worker, 1
/// in the single-thread worker.
pub fn threads() -> usize {
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    {
        rayon::current_num_threads()
    }
    #[cfg(all(target_family = "wasm", not(feature = "threads")))]
    {
        1
    }
}

/// `task(0)`, …, `task(n − 1)`, each once: shared between the pool's threads natively and in
/// the threaded worker ([`run_tasks`]), in order in the single-thread worker.
fn each(n: usize, task: impl Fn(usize) + Send + Sync) {
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    run_tasks(n, task);
    #[cfg(all(target_family = "wasm", not(feature = "threads")))]
    (0..n).for_each(task);
}

/// `[f(0), …, f(n − 1)]`, in index order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Send + Sync) -> Vec<T> {
    let mut out = Vec::<T>::with_capacity(n);
    let slots = Shared(out.spare_capacity_mut().as_mut_ptr());
    let slots = &slots;
    // SAFETY: task `i` writes slot `i` of the capacity, once; `set_len` follows only after
    // every task has finished (a panic propagates before it).
    each(n, |i| unsafe {
        (*slots.0.add(i)).write(f(i));
    });
    unsafe { out.set_len(n) };
    out
}

/// `f(index, chunk)` over `data` cut into chunks of `size`.
pub fn for_each_chunk<T: Send>(
    data: &mut [T],
    size: usize,
    f: impl Fn(usize, &mut [T]) + Send + Sync,
) {
    let (len, size) = (data.len(), size.max(1));
    let base = Shared(data.as_mut_ptr());
    let base = &base;
    // SAFETY: chunk `i` is `data[i·size..min((i + 1)·size, len)]`: the chunks are disjoint
    // and inside `data`, which stays borrowed until every task has finished.
    each(len.div_ceil(size), |i| {
        let start = i * size;
        let chunk =
            unsafe { std::slice::from_raw_parts_mut(base.0.add(start), size.min(len - start)) };
        f(i, chunk)
    });
}

/// A pointer the tasks of [`each`] share, each using its own part.
struct Shared<P>(*mut P);
// SAFETY: only handed to `each`'s tasks, which touch disjoint parts (see the callers).
unsafe impl<P> Send for Shared<P> {}
unsafe impl<P> Sync for Shared<P> {}

/// `task(0)`, …, `task(n − 1)`, each once, on this thread and the pool's others: every thread
/// takes the next task not yet taken until none is left, so a thread that finishes early takes
/// more instead of waiting. This thread then waits for the tasks others are still running,
/// looking at once rather than sleeping (a sleeping thread is woken slowly in a browser). What
/// each task computes depends on its index only.
#[cfg(any(not(target_family = "wasm"), feature = "threads"))]
fn run_tasks(n: usize, task: impl Fn(usize) + Send + Sync) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let helpers = rayon::current_num_threads().min(n).saturating_sub(1);
    if helpers == 0 {
        return (0..n).for_each(task);
    }
    let (next, finished) = (AtomicUsize::new(0), AtomicUsize::new(0));
    /// Counts a task finished even when it panics, so that the wait below ends and the panic
    /// reaches the caller through rayon's scope.
    struct Finished<'a>(&'a AtomicUsize);
    impl Drop for Finished<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Release);
        }
    }
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            let _finished = Finished(&finished);
            task(i);
        }
    };
    rayon::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| work());
        }
        work();
        while finished.load(Ordering::Acquire) < n {
            std::hint::spin_loop();
        }
    });
}

/// A vector of `len` floats made by `f(index, chunk)` over chunks of `size`, where `f` writes
/// every entry of its chunk (the training kernels).
#[cfg(feature = "train")]
pub(crate) fn filled_by(
    len: usize,
    size: usize,
    f: impl Fn(usize, &mut [f32]) + Send + Sync,
) -> Vec<f32> {
    let [out] = filled_many(len, size, |i, [chunk]| f(i, chunk));
    out
}

/// `K` vectors of `len` floats made by `f(index, chunks)` over chunks of `size`: chunk `i` of
/// every vector, each of which `f` writes in full.
#[cfg(feature = "train")]
pub(crate) fn filled_many<const K: usize>(
    len: usize,
    size: usize,
    f: impl Fn(usize, [&mut [f32]; K]) + Send + Sync,
) -> [Vec<f32>; K] {
    let size = size.max(1);
    let mut outs: [Vec<f32>; K] = std::array::from_fn(|_| Vec::with_capacity(len));
    // The capacity is viewed as floats only to be written: callers' `f` writes every entry of
    // its chunks and reads none of them.
    let bases: [Shared<f32>; K] = std::array::from_fn(|k| Shared(outs[k].as_mut_ptr()));
    let bases = &bases;
    // SAFETY: chunk `i` of each vector is `[i·size, min((i + 1)·size, len))` of its capacity:
    // the chunks are disjoint, inside the capacity, and each is handed to one task only.
    each(len.div_ceil(size), |i| {
        let start = i * size;
        let n = size.min(len - start);
        f(
            i,
            bases
                .each_ref()
                .map(|b| unsafe { std::slice::from_raw_parts_mut(b.0.add(start), n) }),
        )
    });
    // SAFETY: all `len` entries of every vector were written above.
    for out in &mut outs {
        unsafe { out.set_len(len) };
    }
    outs
}

/// How many callers of [`hot`] are running.
static HOT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `f()`, with the pool kept hot meanwhile: in the threaded worker, the pool's other threads
/// look for work without pause instead of napping (see `web/thread_pool.rs`), so the parallel
/// parts `f` starts are taken up at once. Elsewhere just `f()`.
pub fn hot<R>(f: impl FnOnce() -> R) -> R {
    use std::sync::atomic::Ordering;
    struct Cool;
    impl Drop for Cool {
        fn drop(&mut self) {
            HOT.fetch_sub(1, Ordering::Release);
        }
    }
    HOT.fetch_add(1, Ordering::Acquire);
    let _cool = Cool;
    f()
}

/// Whether some caller of [`hot`] is running.
pub fn is_hot() -> bool {
    HOT.load(std::sync::atomic::Ordering::Acquire) > 0
}

/// `(a(), b())`: `a` on this thread and `b` meanwhile on another core, where this thread is
/// one of the pool's (the command line's main thread and the threaded worker's, see
/// [`join_pool_natively`]); elsewhere `a` then `b`. `a` always runs on the calling thread.
pub fn alongside<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    if rayon::current_thread_index().is_some() {
        // From inside the pool, rayon runs the first closure on the calling thread.
        return rayon::join(a, b);
    }
    let a = a();
    (a, b())
}

/// Makes the calling thread one of rayon's global pool, beside a worker for each other core
/// (or beside `RAYON_NUM_THREADS − 1` workers where that is set): the parallel parts it starts
/// are then shared from its own queue instead of being handed to the pool and waited for,
/// which saves two thread wake-ups per part (about 15 % of a training step at batch 64 on two
/// cores). One thread per core in all: a thread more than cores (tried) leaves a thread
/// waiting for a core while others wait for its part, 10 % fewer images/s on two cores.
/// Call it first thing, on the thread that trains; later calls fail quietly.
#[cfg(not(target_family = "wasm"))]
pub fn join_pool_natively() {
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // An error means the pool exists already (it is built once per process): keep it.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .use_current_thread()
        .build_global();
}
