//! Data parallelism: on every core natively and in the page's threaded worker (rayon's pool,
//! shared with burn's CPU backend so the two never compete for the cores), in order in the
//! single-thread worker. Results never depend on the thread count.

/// `[f(0), …, f(n − 1)]`, in index order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Send + Sync) -> Vec<T> {
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map(f).collect()
    }
    #[cfg(all(target_family = "wasm", not(feature = "threads")))]
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
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    {
        use rayon::prelude::*;
        data.par_chunks_mut(size)
            .enumerate()
            .for_each(|(i, chunk)| f(i, chunk));
    }
    #[cfg(all(target_family = "wasm", not(feature = "threads")))]
    {
        data.chunks_mut(size)
            .enumerate()
            .for_each(|(i, chunk)| f(i, chunk));
    }
}

/// A vector of `len` floats made by `f(index, chunk)` over chunks of `size`, where `f` writes
/// every entry of its chunk.
pub(crate) fn filled_by(
    len: usize,
    size: usize,
    f: impl Fn(usize, &mut [f32]) + Send + Sync,
) -> Vec<f32> {
    let mut out = Vec::<f32>::with_capacity(len);
    let spare = &mut out.spare_capacity_mut()[..len];
    // SAFETY: `MaybeUninit<f32>` has the layout of `f32`; the capacity is viewed as floats
    // only to be written (callers' `f` writes every entry of its chunk and reads none of them),
    // and `set_len` exposes the entries only after all are written.
    let floats = unsafe { std::slice::from_raw_parts_mut(spare.as_mut_ptr().cast::<f32>(), len) };
    for_each_chunk(floats, size, f);
    // SAFETY: all `len` entries were written above.
    unsafe { out.set_len(len) };
    out
}
