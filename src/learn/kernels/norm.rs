//! BatchNorm in training mode on the CPU for batch-last maps, optionally followed by a ReLU, as
//! one operation with its own backward pass.
//!
//! burn's BatchNorm composes about a dozen tensor ops (means, centring, variance, scaling),
//! each a pass over the map with a fresh buffer, and as many again in its backward. On
//! batch-last maps `[c, h, w, n]` every channel is one contiguous row of `m = h·w·n` values, so
//! the forward is two passes per row and the backward two:
//!
//! * forward: `μ = Σx/m`, `σ² = Σ(x − μ)²/m`, `y = γ·(x − μ)/√(σ² + ε) + β`
//! * backward, with `x̂ = (x − μ)/√(σ² + ε)`: `dβ = Σdy`, `dγ = Σdy·x̂`,
//!   `dx = γ/√(σ² + ε) · (dy − dβ/m − x̂·dγ/m)`
//!
//! The same statistics (biased variance) and formulas as burn's `batch_norm_train`, whose
//! running-statistics update `Layout::batch_norm` repeats. Other backends use burn's BatchNorm.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Backend, Flex, backend_extension};
use burn::prelude::*;

use super::{tensor, values};
use crate::par::{filled_by, map as par_map};

const LANES: usize = 16;

/// `Σ f(a[i], b[i])` in [`LANES`] independent f32 partial sums (so the loop vectorises),
/// combined in f64.
fn lane_sum(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f64 {
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&x, &y)| f(x, y) as f64)
        .sum();
    for (xa, xb) in ca.zip(cb) {
        for l in 0..LANES {
            acc[l] += f(xa[l], xb[l]);
        }
    }
    acc.iter().map(|&v| v as f64).sum::<f64>() + tail
}

/// `y = x·scale + shift` for one channel: `γ/√(σ² + ε)` and `β − μ·γ/√(σ² + ε)`.
fn affine((mean, var): (f32, f32), gamma: f32, beta: f32, epsilon: f64) -> (f32, f32) {
    let scale = gamma / (var as f64 + epsilon).sqrt() as f32;
    (scale, beta - mean * scale)
}

/// Mean and biased variance of one row.
fn row_stats(row: &[f32]) -> (f32, f32) {
    let m = row.len() as f64;
    let mean = (lane_sum(row, row, |x, _| x) / m) as f32;
    let var = lane_sum(row, row, |x, _| (x - mean) * (x - mean)) / m;
    (mean, var as f32)
}

/// The kernels on plain slices: `x`, `dy` are `[c, m]` row-major.
pub mod plain {
    use super::*;

    /// `(y, mean, variance)`, with `y` through a ReLU when `relu`.
    pub fn forward(
        x: &[f32],
        gamma: &[f32],
        beta: &[f32],
        epsilon: f64,
        relu: bool,
    ) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let c = gamma.len();
        let m = x.len() / c;
        let stats: Vec<(f32, f32)> = par_map(c, |ci| row_stats(&x[ci * m..][..m]));
        let y = filled_by(x.len(), m, |ci, out| {
            let (scale, shift) = affine(stats[ci], gamma[ci], beta[ci], epsilon);
            for (o, &v) in out.iter_mut().zip(&x[ci * m..][..m]) {
                let y = v * scale + shift;
                // Written so that a NaN stays NaN (`max` would drop it), for the NaN check.
                *o = if relu && y < 0.0 { 0.0 } else { y };
            }
        });
        (
            y,
            stats.iter().map(|s| s.0).collect(),
            stats.iter().map(|s| s.1).collect(),
        )
    }

    /// `(dx, dγ, dβ)`. With `relu`, `dy` is the gradient after the ReLU, and is first zeroed
    /// where the (recomputed) normalised value was not positive.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        x: &[f32],
        dy: &[f32],
        gamma: &[f32],
        beta: &[f32],
        mean: &[f32],
        var: &[f32],
        epsilon: f64,
        relu: bool,
    ) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let c = gamma.len();
        let m = x.len() / c;
        let masked;
        let dy = if relu {
            masked = filled_by(x.len(), m, |ci, out| {
                let (scale, shift) = affine((mean[ci], var[ci]), gamma[ci], beta[ci], epsilon);
                let rows = x[ci * m..][..m].iter().zip(&dy[ci * m..][..m]);
                for (o, (&v, &g)) in out.iter_mut().zip(rows) {
                    *o = if v * scale + shift > 0.0 { g } else { 0.0 };
                }
            });
            &masked[..]
        } else {
            dy
        };
        let inv_std: Vec<f32> = var
            .iter()
            .map(|&v| (1.0 / (v as f64 + epsilon).sqrt()) as f32)
            .collect();
        // Per channel: dβ = Σdy, dγ = Σdy·x̂.
        let sums: Vec<(f32, f32)> = par_map(c, |ci| {
            let (x_row, dy_row) = (&x[ci * m..][..m], &dy[ci * m..][..m]);
            let dbeta = lane_sum(dy_row, dy_row, |g, _| g);
            let dgamma = lane_sum(x_row, dy_row, |xv, g| g * (xv - mean[ci])) * inv_std[ci] as f64;
            (dbeta as f32, dgamma as f32)
        });
        let dx = filled_by(x.len(), m, |ci, dx_row| {
            let (mu, inv) = (mean[ci], inv_std[ci]);
            let (dbeta, dgamma) = sums[ci];
            let k = gamma[ci] * inv;
            let (a, b) = (dbeta / m as f32, dgamma / m as f32);
            for ((o, &xv), &g) in dx_row
                .iter_mut()
                .zip(&x[ci * m..][..m])
                .zip(&dy[ci * m..][..m])
            {
                *o = k * (g - a - (xv - mu) * inv * b);
            }
        });
        (
            dx,
            sums.iter().map(|s| s.1).collect(),
            sums.iter().map(|s| s.0).collect(),
        )
    }
}

/// BatchNorm's training forward as a backend operation: `x: [c, m]`, `gamma`, `beta: [c]` →
/// `(y [c, m], mean [c], variance [c])`. Only `y` carries gradients.
#[backend_extension(Flex, Autodiff)]
pub trait RowBatchNorm: Backend {
    fn row_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

/// What the backward needs: the input, γ, β, the batch statistics, ε and whether a ReLU
/// followed.
#[derive(Clone, Debug)]
pub struct NormState<B: Backend> {
    x: FloatTensor<B>,
    gamma: FloatTensor<B>,
    beta: FloatTensor<B>,
    mean: FloatTensor<B>,
    var: FloatTensor<B>,
    epsilon: f64,
    relu: bool,
}

/// What the CPU backend computes for [`RowBatchNorm`].
pub trait RowBatchNormKernels: Backend {
    fn norm_forward(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
    /// `(dx, dγ, dβ)`.
    fn norm_backward(
        state: NormState<Self>,
        dy: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

impl RowBatchNormKernels for Flex {
    fn norm_forward(
        x: FlexTensor,
        gamma: FlexTensor,
        beta: FlexTensor,
        epsilon: f64,
        relu: bool,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let shape = x.layout().shape().clone();
        let c = shape[0];
        let (y, mean, var) =
            plain::forward(&values(&x), &values(&gamma), &values(&beta), epsilon, relu);
        (tensor(y, shape), tensor(mean, [c]), tensor(var, [c]))
    }

    fn norm_backward(s: NormState<Self>, dy: FlexTensor) -> (FlexTensor, FlexTensor, FlexTensor) {
        let shape = s.x.layout().shape().clone();
        let c = shape[0];
        let (dx, dgamma, dbeta) = plain::backward(
            &values(&s.x),
            &values(&dy),
            &values(&s.gamma),
            &values(&s.beta),
            &values(&s.mean),
            &values(&s.var),
            s.epsilon,
            s.relu,
        );
        (tensor(dx, shape), tensor(dgamma, [c]), tensor(dbeta, [c]))
    }
}

impl RowBatchNorm for Flex {
    fn row_batch_norm(
        x: FlexTensor,
        gamma: FlexTensor,
        beta: FlexTensor,
        epsilon: f64,
        relu: bool,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        Self::norm_forward(x, gamma, beta, epsilon, relu)
    }
}

#[derive(Debug)]
struct RowBatchNormBackward;

impl<B: RowBatchNormKernels> Backward<B, 3> for RowBatchNormBackward {
    type State = NormState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let dy = grads.consume::<B>(&ops.node);
        let (dx, dgamma, dbeta) = B::norm_backward(ops.state, dy);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, dx);
        }
        if let Some(node) = node_gamma {
            grads.register::<B>(node.id, dgamma);
        }
        if let Some(node) = node_beta {
            grads.register::<B>(node.id, dbeta);
        }
    }
}

impl<B: RowBatchNormKernels, C: CheckpointStrategy> RowBatchNorm for Autodiff<B, C> {
    fn row_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let prep = RowBatchNormBackward
            .prepare::<C>([x.node(), gamma.node(), beta.node()])
            .compute_bound()
            .stateful();
        let (x, gamma, beta) = (
            x.into_primitive(),
            gamma.into_primitive(),
            beta.into_primitive(),
        );
        let (y, mean, var) = B::norm_forward(x.clone(), gamma.clone(), beta.clone(), epsilon, relu);
        let y = match prep {
            OpsKind::Tracked(prep) => {
                let state = NormState {
                    x,
                    gamma,
                    beta,
                    mean: mean.clone(),
                    var: var.clone(),
                    epsilon,
                    relu,
                };
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        (y, Self::from_inner(mean), Self::from_inner(var))
    }
}

/// BatchNorm's training forward on `[c, m]` rows, then a ReLU when `relu`:
/// `(y [c, m], mean [c], variance [c])`, only `y` tracked. Only where the CPU kernels are
/// [`available`](super::available).
pub fn row_batch_norm(
    x: Tensor<2>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    epsilon: f64,
    relu: bool,
) -> (Tensor<2>, Tensor<1>, Tensor<1>) {
    let (y, mean, var) = <burn::backend::Dispatch as RowBatchNorm>::row_batch_norm(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        epsilon,
        relu,
    );
    (
        Tensor::from_dispatch(y),
        Tensor::from_dispatch(mean),
        Tensor::from_dispatch(var),
    )
}
