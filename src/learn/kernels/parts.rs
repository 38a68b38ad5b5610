//! How the products are cut into tasks for the thread pool. Only the output is cut (columns
//! for the convolution's, rows for the dense layers'), never the inner dimension by the thread
//! count: every entry is then the same sum as uncut, so no number depends on how many threads
//! there are (tested bit for bit in `tests/conv.rs` and `tests/linear.rs`).

/// The output columns each task of the forward and input-gradient products computes, at most:
/// small enough that the last layer at batch 64 (2,048 columns) still gives every core a part.
pub const OUTPUT_PART: usize = 512;

/// Tasks per thread the column cuts aim for: a thread that finishes early takes another part
/// instead of waiting for a long last one (that wait is up to one part). In the browser the
/// products run about four times slower (128-bit SIMD), so its parts are cut twice as fine;
/// natively finer parts measured slower (7,120 against 7,450 images/s at batch 64).
const TASKS_PER_THREAD: usize = if cfg!(target_family = "wasm") { 16 } else { 8 };

/// gemm multiplies a product whose output is at most this many rows and columns on a path of
/// its own, with another inner blocking (so other roundings) where the inner size exceeds 512.
const GEMM_SMALL: usize = 64;

/// `n` output columns cut for the tasks of one product (each column part is multiplied
/// `alongside` times, once per inner part): first into parts of `widest` (the last shorter),
/// then, where that gives fewer than [`TASKS_PER_THREAD`] tasks per thread, each part into
/// narrower ones — never down to gemm's small-product width ([`GEMM_SMALL`]) where the
/// part was wider. Every column is then the same sum as in its `widest` part: gemm's inner
/// blocking depends on the inner size and on that path only (tested bit for bit), so the cut
/// may follow the thread count.
pub fn column_parts(n: usize, widest: usize, alongside: usize) -> Vec<std::ops::Range<usize>> {
    let parts = n.div_ceil(widest) * alongside;
    let wanted = (TASKS_PER_THREAD * crate::par::threads()).div_ceil(parts.max(1));
    let mut out = Vec::new();
    for j0 in (0..n).step_by(widest) {
        let width = widest.min(n - j0);
        let pieces = if width > GEMM_SMALL {
            wanted.min(width / (GEMM_SMALL + 1)).max(1)
        } else {
            1
        };
        // `pieces` near-equal widths, each above GEMM_SMALL where `width` is.
        out.extend((0..pieces).map(|p| j0 + p * width / pieces..j0 + (p + 1) * width / pieces));
    }
    out
}

/// The output columns of one task of the weight gradient (`conv::plain::weight_grad`), at most:
/// where the inner dimension gives few parts (the last layers at small batches), each part's
/// product is also cut by columns ([`column_parts`]). That changes no sum (as in the forward's
/// products).
pub const GRAD_COLUMN_PART: usize = 144;

/// gemm multiplies a product of at most this many outputs as dot products where the left
/// operand is row-major and the right one column-major (other roundings).
pub const GEMM_DOTS: usize = 256;

/// gemm's inner blocking: for outputs wider or taller than [`GEMM_SMALL`] it depends on the
/// inner size and the cache only; on the small path it is this.
const GEMM_SMALL_INNER: usize = 512;

/// Multiply-adds a task is given at least: below that a task costs more to share than to do.
const LEAST_WORK: usize = 16_384;

/// The rows of an `[m, n]` output with inner size `k` cut into near-equal parts for the tasks of
/// [`by_rows`](super::product::by_rows): [`TASKS_PER_THREAD`] per thread where the product is
/// large enough, each part on gemm's path for the whole product — more than [`GEMM_DOTS`]
/// outputs, at least two rows, and above [`GEMM_SMALL`] rows where only the rows kept the whole
/// off the small path and its inner blocking would differ. A product gemm treats as a vector
/// product (`n` or `k` at most 2) stays whole.
pub fn row_parts([m, n, k]: [usize; 3]) -> Vec<std::ops::Range<usize>> {
    let mut least = (GEMM_DOTS / n.max(1) + 1).max(2);
    if k > GEMM_SMALL_INNER && m > GEMM_SMALL && n <= GEMM_SMALL {
        least = least.max(GEMM_SMALL + 1);
    }
    let pieces = if n <= 2 || k <= 2 {
        1
    } else {
        (TASKS_PER_THREAD * crate::par::threads())
            .min(m / least)
            .min(m * n * k / LEAST_WORK)
            .max(1)
    };
    (0..pieces)
        .map(|p| p * m / pieces..(p + 1) * m / pieces)
        .collect()
}
