//! Data parallelism: on every core natively (rayon's pool, shared with burn's CPU backend so the
//! two never compete for the cores), in order on wasm. Results never depend on the thread count.

/// `[f(0), …, f(n − 1)]`, in index order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Send + Sync) -> Vec<T> {
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map(f).collect()
    }
    #[cfg(target_family = "wasm")]
    {
        (0..n).map(f).collect()
    }
}

/// `f(index, chunk)` over `data` cut into chunks of `size`.
pub fn for_each_chunk<T: Send>(
    data: &mut [T],
    size: usize,
    f: impl Fn(usize, &mut [T]) + Send + Sync,
) {
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::prelude::*;
        data.par_chunks_mut(size)
            .enumerate()
            .for_each(|(i, chunk)| f(i, chunk));
    }
    #[cfg(target_family = "wasm")]
    {
        data.chunks_mut(size)
            .enumerate()
            .for_each(|(i, chunk)| f(i, chunk));
    }
}
