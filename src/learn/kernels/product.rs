//! Matrix products on the `gemm` crate that burn's CPU backend runs on, cut into tasks for the
//! thread pool so that every entry is the same sum, in the same order, as in one uncut product
//! (tested bit for bit in `tests/conv.rs` and `tests/linear.rs`).

use super::parts::{OUTPUT_PART, column_parts, row_parts};
use crate::par::map as par_map;

/// A row-major matrix operand: its data, and whether it is used transposed.
pub struct Operand<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub transposed: bool,
}

impl Operand<'_> {
    /// `(rows, cols, row stride, column stride)` of the operand as used.
    pub fn view(&self) -> (usize, usize, isize, isize) {
        if self.transposed {
            (self.cols, self.rows, 1, self.cols as isize)
        } else {
            (self.rows, self.cols, self.cols as isize, 1)
        }
    }
}

/// `out = a · b` on this thread, for `[m, n, k]`: `out` row-major with row stride `out_rs`,
/// `a` and `b` given as (pointer, row stride, column stride). gemm writes every entry of `out`
/// without reading it.
///
/// # Safety
/// The pointers and strides must describe an `[m, k]`, a `[k, n]` and an `[m, n]` matrix inside
/// their allocations, and no other thread may touch `out`'s entries meanwhile.
pub unsafe fn product_into(
    [m, n, k]: [usize; 3],
    out: *mut f32,
    out_rs: usize,
    (a, a_rs, a_cs): (*const f32, isize, isize),
    (b, b_rs, b_cs): (*const f32, isize, isize),
) {
    // SAFETY: the caller's contract.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out,
            1,
            out_rs as isize,
            false,
            a,
            a_cs,
            a_rs,
            b,
            b_cs,
            b_rs,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// A pointer into a matrix that several threads write, each its own block.
struct SharedOut(*mut f32);
// SAFETY: shared only by `in_blocks`, whose tasks write disjoint blocks of the matrix.
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

/// Which side of the output a product is cut along.
#[derive(Clone, Copy)]
enum Cut {
    Rows,
    Columns,
}

/// `a · b` as a new row-major `[m, n]` matrix, cut along `cut` into the parts `parts([m, n, k])`
/// gives, each multiplied on one thread.
fn in_blocks(
    a: Operand,
    b: Operand,
    cut: Cut,
    parts: impl FnOnce([usize; 3]) -> Vec<std::ops::Range<usize>>,
) -> Vec<f32> {
    let (m, k, a_rs, a_cs) = a.view();
    let (k2, n, b_rs, b_cs) = b.view();
    assert_eq!(k, k2, "product: inner sizes");
    assert_eq!(a.data.len(), a.rows * a.cols, "product: left operand size");
    assert_eq!(b.data.len(), b.rows * b.cols, "product: right operand size");
    let mut out = Vec::<f32>::with_capacity(m * n);
    let dst = SharedOut(out.spare_capacity_mut().as_mut_ptr().cast::<f32>());
    let dst = &dst;
    let parts = parts([m, n, k]);
    par_map(parts.len(), |part| {
        let (p0, p1) = (parts[part].start, parts[part].end);
        // This task's block: output rows `p0..p1` (rows of `a`) or columns `p0..p1` (of `b`).
        let ([rows, cols], out_at, a_at, b_at) = match cut {
            Cut::Rows => ([p1 - p0, n], p0 * n, p0 as isize * a_rs, 0),
            Cut::Columns => ([m, p1 - p0], p0, 0, p0 as isize * b_cs),
        };
        // SAFETY: the strides describe `a`, `b` and `out` as the matrices they are, with the
        // sizes asserted above; the parts are disjoint ranges inside `m` (rows) or `n`
        // (columns), so this task writes a block of `out` no other task writes; `out`'s
        // capacity is `m·n` and gemm writes, without reading, every entry of its block.
        unsafe {
            product_into(
                [rows, cols, k],
                dst.0.add(out_at),
                n,
                (a.data.as_ptr().offset(a_at), a_rs, a_cs),
                (b.data.as_ptr().offset(b_at), b_rs, b_cs),
            );
        }
    });
    // SAFETY: the parts together wrote all `m·n` entries.
    unsafe { out.set_len(m * n) };
    out
}

/// `a · b` as a new row-major `[m, n]` matrix. The output's columns are cut into parts
/// ([`column_parts`] of at most [`OUTPUT_PART`]), each multiplied on one thread: for these
/// wide products that is faster than gemm's own threading here (measured 7.2 → 4.3 ms for the
/// second layer's forward), and every entry is the same sum in the same order however the
/// columns are cut.
pub fn by_columns(a: Operand, b: Operand) -> Vec<f32> {
    in_blocks(a, b, Cut::Columns, |[_, n, _]| {
        column_parts(n, OUTPUT_PART, 1)
    })
}

/// `a · b` as a new row-major `[m, n]` matrix, its rows cut into parts ([`row_parts`]), each
/// multiplied on one thread: for products whose output is narrow and whose rows are many
/// (the dense layers: batch × features). Every entry is the same sum as gemm's for the whole
/// product, which is what burn's matrix product computes.
pub fn by_rows(a: Operand, b: Operand) -> Vec<f32> {
    in_blocks(a, b, Cut::Rows, row_parts)
}
