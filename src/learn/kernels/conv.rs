//! [`GemmConv`](crate::learn::conv::GemmConv) on the CPU as one hand-written operation with
//! its own backward pass.
//!
//! Written with burn's tensor ops, the batch-level convolution pays for nine strided slices, a
//! concatenation and, in the backward, nine zero-filled slice scatters and fresh zeroed buffers
//! for every product. Here the forward is one im2col into a buffer kept for the backward and one
//! matrix product; the backward is two matrix products and one col2im:
//!
//! * forward: `cols = im2col(x)` `[k·k·c, ho·wo·n]`, `y = W · cols` `[c_out, ho·wo·n]`
//! * weight gradient: `dW = dy · colsᵀ` `[c_out, k·k·c]`
//! * input gradient: `dx = col2im(Wᵀ · dy)`
//!
//! Maps are batch-last, `[c, h, w, n]`, so im2col and col2im move runs of `n` contiguous floats.
//! The products run on the `gemm` crate that burn's CPU backend uses. The operation is a burn
//! backend extension for the CPU backend and its autodiff; other backends use the tensor-op
//! formulation in `learn/conv.rs` (the same maths, checked against each other in
//! `tests/conv.rs`).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use burn::prelude::*;

use super::parts::{GRAD_COLUMN_PART, column_parts};
pub use super::product::product_into;
use super::product::{Operand, by_columns};
use super::{output_side, tensor, values};
use crate::par::{filled_by, map as par_map};

/// A convolution's geometry: kernel side, stride and the input's `[c, h, w, n]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub kernel: usize,
    pub stride: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub batch: usize,
}

impl Geometry {
    fn pad(&self) -> usize {
        self.kernel / 2
    }
    fn out_h(&self) -> usize {
        output_side(self.height, self.kernel, self.stride)
    }
    fn out_w(&self) -> usize {
        output_side(self.width, self.kernel, self.stride)
    }
    /// Rows of the column matrix: `k·k·c`.
    fn rows(&self) -> usize {
        self.kernel * self.kernel * self.channels
    }
    /// Columns of the column matrix: `ho·wo·n`.
    fn cols(&self) -> usize {
        self.out_h() * self.out_w() * self.batch
    }

    /// For output row `oy` (or column) and kernel offset `ky`: the input row, if inside.
    fn source(&self, o: usize, k: usize, side: usize) -> Option<usize> {
        (o * self.stride + k)
            .checked_sub(self.pad())
            .filter(|&i| i < side)
    }
}

/// The column matrix `[k·k·c, ho·wo·n]`: row `(ky·k + kx)·c + ci` holds, for every output
/// position and image, the input at channel `ci` shifted by (ky, kx), or 0 in the padding.
pub fn im2col(x: &[f32], g: Geometry) -> Vec<f32> {
    let (k, c, n) = (g.kernel, g.channels, g.batch);
    let (ho, wo) = (g.out_h(), g.out_w());
    assert_eq!(x.len(), c * g.height * g.width * n, "im2col: input size");
    // Every entry is written once below (a copy or a padding zero), so the buffer is not
    // zero-filled first.
    filled_by(g.rows() * g.cols(), g.cols(), |row, out| {
        let (kk, ci) = (row / c, row % c);
        let (ky, kx) = (kk / k, kk % k);
        for oy in 0..ho {
            let y = g.source(oy, ky, g.height);
            for ox in 0..wo {
                let to = &mut out[(oy * wo + ox) * n..][..n];
                match (y, g.source(ox, kx, g.width)) {
                    (Some(y), Some(xx)) => {
                        let from = ((ci * g.height + y) * g.width + xx) * n;
                        to.copy_from_slice(&x[from..from + n]);
                    }
                    _ => to.fill(0.0), // padding
                }
            }
        }
    })
}

/// The adjoint of [`im2col`]: every column entry added back to the input position it came from.
pub fn col2im(cols: &[f32], g: Geometry) -> Vec<f32> {
    let (k, c, n) = (g.kernel, g.channels, g.batch);
    let (ho, wo) = (g.out_h(), g.out_w());
    let plane = g.height * g.width * n;
    // One channel's plane per task: no two tasks write the same place.
    filled_by(c * plane, plane, |ci, out| {
        out.fill(0.0);
        for kk in 0..k * k {
            let (ky, kx) = (kk / k, kk % k);
            let row = &cols[(kk * c + ci) * g.cols()..][..g.cols()];
            for oy in 0..ho {
                let Some(y) = g.source(oy, ky, g.height) else {
                    continue;
                };
                for ox in 0..wo {
                    if let Some(xx) = g.source(ox, kx, g.width) {
                        let to = (y * g.width + xx) * n;
                        let from = (oy * wo + ox) * n;
                        for (d, s) in out[to..to + n].iter_mut().zip(&row[from..from + n]) {
                            *d += s;
                        }
                    }
                }
            }
        }
    })
}

/// The inner-dimension part of [`plain::weight_grad`]'s products: long enough for gemm to run at
/// speed, short enough to give every core work at the batch sizes used.
pub const INNER_PART: usize = 2048;

/// The kernels on plain slices, shared by the forward and the backward.
pub mod plain {
    use super::*;

    /// `x: [c, h, w, n]`, `weight: [c_out, k·k·c]` → (`[c_out, ho·wo·n]`, the column matrix).
    pub fn forward(x: &[f32], weight: &[f32], c_out: usize, g: Geometry) -> (Vec<f32>, Vec<f32>) {
        let cols = im2col(x, g);
        let y = by_columns(
            Operand {
                data: weight,
                rows: c_out,
                cols: g.rows(),
                transposed: false,
            },
            Operand {
                data: &cols,
                rows: g.rows(),
                cols: g.cols(),
                transposed: false,
            },
        );
        (y, cols)
    }

    /// `dW = dy · colsᵀ`: `[c_out, k·k·c]`. The inner dimension (`ho·wo·n`) is the long one, and
    /// gemm splits work between threads over the output only, which here is small; so the
    /// inner dimension is cut into parts of [`INNER_PART`], each multiplied on one thread, and
    /// the partial products summed in order. The parts do not depend on the thread count, so
    /// neither do the numbers.
    pub fn weight_grad(dy: &[f32], cols: &[f32], c_out: usize, g: Geometry) -> Vec<f32> {
        let (m, n, k) = (c_out, g.rows(), g.cols());
        assert_eq!(dy.len(), m * k, "weight_grad: output gradient size");
        assert_eq!(cols.len(), n * k, "weight_grad: column matrix size");
        let parts = k.div_ceil(INNER_PART).max(1);
        let step = INNER_PART;
        // Column blocks: enough that the parts' tasks together give every thread several.
        let columns = column_parts(n, GRAD_COLUMN_PART, parts);
        let blocks = columns.len();
        // Task `(p, b)`: inner part `p`, output columns `columns[b]`, as `[m, j1 − j0]`.
        let tasks: Vec<Vec<f32>> = par_map(parts * blocks, |t| {
            let (p, b) = (t / blocks, t % blocks);
            let (k0, k1) = (p * step, ((p + 1) * step).min(k));
            let (j0, j1) = (columns[b].start, columns[b].end);
            let mut out = Vec::<f32>::with_capacity(m * (j1 - j0));
            // SAFETY: `dy[:, k0..k1]` is `[m, k1 − k0]` with row stride `k`; the rows `j0..j1`
            // of `cols`, columns `k0..k1`, transposed are `[k1 − k0, j1 − j0]` with column
            // stride `k`; both lie inside their slices (sizes asserted above). gemm writes,
            // without reading, all `m·(j1 − j0)` entries of `out`.
            unsafe {
                product_into(
                    [m, j1 - j0, k1 - k0],
                    out.spare_capacity_mut().as_mut_ptr().cast::<f32>(),
                    j1 - j0,
                    (dy.as_ptr().add(k0), k as isize, 1),
                    (cols.as_ptr().add(j0 * k + k0), 1, k as isize),
                );
                out.set_len(m * (j1 - j0));
            }
            out
        });
        // Each part's `[m, n]` product from its column blocks.
        let mut tasks = tasks.into_iter();
        let mut partials = (0..parts).map(|_| {
            if blocks == 1 {
                return tasks.next().expect("one task per part");
            }
            let mut full = vec![0.0f32; m * n];
            for block_columns in &columns {
                let block = tasks.next().expect("one task per block");
                let (j0, j1) = (block_columns.start, block_columns.end);
                for (row, from) in full.chunks_mut(n).zip(block.chunks(j1 - j0)) {
                    row[j0..j1].copy_from_slice(from);
                }
            }
            full
        });
        let mut sum = partials.next().expect("at least one part");
        for part in partials {
            for (s, v) in sum.iter_mut().zip(part) {
                *s += v;
            }
        }
        sum
    }

    /// `dx = col2im(Wᵀ · dy)`: `[c, h, w, n]`.
    pub fn input_grad(dy: &[f32], weight: &[f32], c_out: usize, g: Geometry) -> Vec<f32> {
        let dcols = by_columns(
            Operand {
                data: weight,
                rows: c_out,
                cols: g.rows(),
                transposed: true,
            },
            Operand {
                data: dy,
                rows: c_out,
                cols: g.cols(),
                transposed: false,
            },
        );
        col2im(&dcols, g)
    }
}

/// The convolution as a backend operation. `x: [c, h, w, n]`, `weight: [c_out, k·k·c]` →
/// `[c_out, ho, wo, n]`.
#[backend_extension(Flex, Autodiff)]
pub trait BatchConv: Backend {
    fn batch_conv(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        kernel: usize,
        stride: usize,
    ) -> FloatTensor<Self>;
}

/// What the CPU backend computes, and keeps for the backward.
pub trait BatchConvKernels: Backend {
    /// The output `[c_out, ho, wo, n]` and the column matrix `[k·k·c, ho·wo·n]`.
    fn conv_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        g: Geometry,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
    fn conv_weight_grad(
        dy: FloatTensor<Self>,
        cols: FloatTensor<Self>,
        g: Geometry,
    ) -> FloatTensor<Self>;
    fn conv_input_grad(
        dy: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        g: Geometry,
    ) -> FloatTensor<Self>;
}

/// The geometry of `x: [c, h, w, n]` under a `kernel`×`kernel` convolution with `stride`.
fn geometry(dims: &[usize], kernel: usize, stride: usize) -> Geometry {
    let [channels, height, width, batch] = dims else {
        panic!("batch_conv: the input must be [c, h, w, n], got {dims:?}");
    };
    Geometry {
        kernel,
        stride,
        channels: *channels,
        height: *height,
        width: *width,
        batch: *batch,
    }
}

impl BatchConvKernels for Flex {
    fn conv_forward(x: FlexTensor, weight: FlexTensor, g: Geometry) -> (FlexTensor, FlexTensor) {
        let c_out = weight.layout().shape()[0];
        let (y, cols) = plain::forward(&values(&x), &values(&weight), c_out, g);
        (
            tensor(y, [c_out, g.out_h(), g.out_w(), g.batch]),
            tensor(cols, [g.rows(), g.cols()]),
        )
    }

    fn conv_weight_grad(dy: FlexTensor, cols: FlexTensor, g: Geometry) -> FlexTensor {
        let c_out = dy.layout().shape()[0];
        tensor(
            plain::weight_grad(&values(&dy), &values(&cols), c_out, g),
            [c_out, g.rows()],
        )
    }

    fn conv_input_grad(dy: FlexTensor, weight: FlexTensor, g: Geometry) -> FlexTensor {
        let c_out = weight.layout().shape()[0];
        tensor(
            plain::input_grad(&values(&dy), &values(&weight), c_out, g),
            [g.channels, g.height, g.width, g.batch],
        )
    }
}

impl BatchConv for Flex {
    fn batch_conv(x: FlexTensor, weight: FlexTensor, kernel: usize, stride: usize) -> FlexTensor {
        let g = geometry(&x.layout().shape().to_vec(), kernel, stride);
        Self::conv_forward(x, weight, g).0
    }
}

#[derive(Debug)]
struct BatchConvBackward;

impl<B: BatchConvKernels> Backward<B, 2> for BatchConvBackward {
    /// The column matrix, the weight and the geometry.
    type State = (FloatTensor<B>, FloatTensor<B>, Geometry);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_weight] = ops.parents;
        let dy = grads.consume::<B>(&ops.node);
        let (cols, weight, g) = ops.state;
        // The two gradients are independent: each thread that finishes its share of one takes
        // parts of the other instead of waiting for the last part.
        let (want_w, want_x, dy_w) = (node_weight.is_some(), node_x.is_some(), dy.clone());
        let (dw, dx) = crate::par::alongside(
            move || want_w.then(|| B::conv_weight_grad(dy_w, cols, g)),
            move || want_x.then(|| B::conv_input_grad(dy, weight, g)),
        );
        if let (Some(node), Some(dw)) = (node_weight, dw) {
            grads.register::<B>(node.id, dw);
        }
        if let (Some(node), Some(dx)) = (node_x, dx) {
            grads.register::<B>(node.id, dx);
        }
    }
}

impl<B: BatchConvKernels, C: CheckpointStrategy> BatchConv for Autodiff<B, C> {
    fn batch_conv(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        kernel: usize,
        stride: usize,
    ) -> FloatTensor<Self> {
        let g = geometry(&x.primitive().shape().to_vec(), kernel, stride);
        match BatchConvBackward
            .prepare::<C>([x.node(), weight.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let w = weight.into_primitive();
                let (y, cols) = B::conv_forward(x.into_primitive(), w.clone(), g);
                prep.finish((cols, w, g), y)
            }
            OpsKind::UnTracked(prep) => {
                let (y, _) = B::conv_forward(x.into_primitive(), weight.into_primitive(), g);
                prep.finish(y)
            }
        }
    }
}

/// The convolution on the CPU: `x: [c, h, w, n]`, `weight: [c_out, k·k·c]` →
/// `[c_out, ho, wo, n]`. Only where [`available`](super::available).
pub fn batch_conv(x: Tensor<4>, weight: Tensor<2>, kernel: usize, stride: usize) -> Tensor<4> {
    Tensor::from_dispatch(<burn::backend::Dispatch as BatchConv>::batch_conv(
        x.into_dispatch(),
        weight.into_dispatch(),
        kernel,
        stride,
    ))
}
