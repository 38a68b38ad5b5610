//! The generalized contrastive loss `L = L_align + λ · L_dist` (docs/science.md, "The loss
//! family") and its instantiations, each returning the total and its two parts.

use burn::prelude::*;

use super::config::LossConfig;
use crate::params::LossKind;
use crate::rng::SeededRng;

/// A loss value with its alignment and distribution parts (`total = alignment + λ·distribution`
/// already weighted: `total = alignment + distribution` as returned here).
#[derive(Clone, Debug)]
pub struct LossParts {
    pub total: Tensor<1>,
    pub alignment: Tensor<1>,
    pub distribution: Tensor<1>,
}

impl LossParts {
    /// A loss with no alignment/distribution split (the control objectives): all of it is
    /// reported as the total, the parts as 0.
    pub fn single(total: Tensor<1>) -> Self {
        let zero = total.zeros_like();
        Self {
            total,
            alignment: zero.clone(),
            distribution: zero,
        }
    }
}

/// Row-wise ℓ2 normalisation (eps inside the sqrt so the gradient at 0 stays finite).
///
/// # Shapes
/// `x: [n, d]` → `[n, d]`
pub fn l2_normalize(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().square().sum_dim(1).add_scalar(1e-12).sqrt(); // [n, 1]
    x / norm
}

/// Row-wise log-sum-exp, stabilised by the (constant) row max.
///
/// # Shapes
/// `x: [n, m]` → `[n, 1]`
pub fn log_sum_exp(x: Tensor<2>) -> Tensor<2> {
    let max = x.clone().max_dim(1).detach(); // [n, 1]
    (x - max.clone()).exp().sum_dim(1).log() + max
}

/// `[2n, 2n]` mask, true on the diagonal (self-similarities).
fn self_mask(m: usize, device: &Device) -> Tensor<2, Bool> {
    Tensor::<2, Int>::eye(m, device).bool()
}

/// The notebook's alignment: `mean((h1 - h2)^2) / 2` over batch and dimensions.
fn mean_square_alignment(h1: Tensor<2>, h2: Tensor<2>) -> Tensor<1> {
    (h1 - h2).square().mean().div_scalar(2.0)
}

/// What SWD needs from the host each step: the projection directions and the sorted projected
/// prior samples. Both are drawn from the step's seeded stream, on the host, because the prior
/// needs no gradient and sorting is not available on every device.
#[derive(Clone, Debug)]
pub struct SwdDraw {
    /// Random orthogonal `[d, d]`, row-major.
    pub directions: Vec<f32>,
    /// Prior samples projected on `directions`, each column sorted ascending: `[m, d]`.
    pub sorted_prior: Vec<f32>,
    pub m: usize,
    pub d: usize,
}

impl SwdDraw {
    pub fn new(kind: LossKind, m: usize, d: usize, rng: &mut SeededRng) -> Self {
        let directions = random_orthogonal(d, rng);
        let mut prior: Vec<f32> = match kind {
            LossKind::SwdCube => (0..m * d).map(|_| rng.range(-1.0, 1.0)).collect(),
            _ => (0..m * d).map(|_| rng.normal()).collect(),
        };
        if kind == LossKind::SwdSphere {
            for row in prior.chunks_mut(d) {
                let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                row.iter_mut().for_each(|v| *v /= norm);
            }
        }
        let mut projected = vec![0.0f32; m * d];
        for i in 0..m {
            for k in 0..d {
                let p = prior[i * d + k];
                for j in 0..d {
                    projected[i * d + j] += p * directions[k * d + j];
                }
            }
        }
        let mut sorted_prior = vec![0.0f32; m * d];
        let mut column = vec![0.0f32; m];
        for j in 0..d {
            for i in 0..m {
                column[i] = projected[i * d + j];
            }
            column.sort_by(f32::total_cmp);
            for i in 0..m {
                sorted_prior[i * d + j] = column[i];
            }
        }
        Self {
            directions,
            sorted_prior,
            m,
            d,
        }
    }
}

/// A Haar-random orthogonal matrix by Gram–Schmidt on a Gaussian matrix (f64 for stability).
pub fn random_orthogonal(d: usize, rng: &mut SeededRng) -> Vec<f32> {
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(d);
    while q.len() < d {
        let mut v: Vec<f64> = (0..d).map(|_| rng.normal() as f64).collect();
        for _ in 0..2 {
            for u in &q {
                let dot: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(u).for_each(|(x, y)| *x -= dot * y);
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 1e-6 {
            q.push(v.into_iter().map(|x| x / norm).collect());
        }
    }
    // Rows of `q` are orthonormal; store as the [d, d] matrix whose columns are the directions.
    let mut out = vec![0.0f32; d * d];
    for (j, col) in q.iter().enumerate() {
        for (i, v) in col.iter().enumerate() {
            out[i * d + j] = *v as f32;
        }
    }
    out
}

/// The loss `config.kind` on projections `z1`, `z2` of the two views.
///
/// # Shapes
/// `z1, z2: [n, d]`; `swd` must be drawn for `m = 2n`, `d`.
pub fn contrastive_loss(
    config: &LossConfig,
    z1: Tensor<2>,
    z2: Tensor<2>,
    swd: Option<&SwdDraw>,
    device_sort: bool,
) -> LossParts {
    let (tau, lambda) = (config.tau, config.lambda);
    match config.kind {
        LossKind::NtXent => nt_xent(z1, z2, tau),
        LossKind::LogSumExp => {
            let d = z1.dims()[1];
            let (h1, h2) = (l2_normalize(z1), l2_normalize(z2));
            let alignment = mean_square_alignment(h1.clone(), h2.clone());
            let h = Tensor::cat(vec![h1, h2], 0); // [2n, d]
            let sim = h.clone().matmul(h.transpose()).div_scalar(tau); // [2n, 2n]
            // λ in NT-Xent units: against the per-dimension alignment, NT-Xent's balance is
            // τ/d (docs/science.md, "The loss family"), so λ = 1 is NT-Xent's split.
            let weight = lambda * logsumexp_unit(tau, d);
            let distribution = log_sum_exp(sim).mean().mul_scalar(weight);
            parts(alignment, distribution)
        }
        LossKind::SwdSphere | LossKind::SwdCube | LossKind::SwdNormal => {
            let draw = swd.expect("SWD needs its per-step draw");
            let (h1, h2) = if config.kind == LossKind::SwdSphere {
                (l2_normalize(z1), l2_normalize(z2))
            } else {
                (z1, z2)
            };
            let alignment = mean_square_alignment(h1.clone(), h2.clone());
            let h = Tensor::cat(vec![h1, h2], 0); // [2n, d]
            let distribution = sliced_wasserstein(h, draw, device_sort).mul_scalar(lambda);
            parts(alignment, distribution)
        }
        LossKind::AlignUniform => {
            let (h1, h2) = (l2_normalize(z1), l2_normalize(z2));
            let alignment = (h1.clone() - h2.clone()).square().sum_dim(1).mean(); // E‖x − y‖²
            let t = config.uniformity_t;
            let uniformity = (uniformity(h1, t) + uniformity(h2, t)).div_scalar(2.0);
            parts(alignment, uniformity.mul_scalar(lambda))
        }
    }
}

/// The weight of the log-sum-exp term, against the per-dimension alignment, at which the
/// decoupled loss has NT-Xent's balance: `τ·NT-Xent = ½‖z̃_i − z̃_j‖² + τ·LSE`, and the
/// per-dimension alignment is `1/d` of `½‖z̃_i − z̃_j‖²`, so the weight is `τ/d`.
pub fn logsumexp_unit(tau: f32, d: usize) -> f32 {
    tau / d.max(1) as f32
}

fn parts(alignment: Tensor<1>, distribution: Tensor<1>) -> LossParts {
    LossParts {
        total: alignment.clone() + distribution.clone(),
        alignment,
        distribution,
    }
}

/// SimCLR's NT-Xent: for each of the 2n anchors, cross-entropy of its positive among the other
/// 2n − 1 candidates. Split as `(½‖z̃_i − z̃_j‖²)/τ` + `(logΣ_{k≠i} exp(z̃_i·z̃_k/τ) − 1/τ)`.
fn nt_xent(z1: Tensor<2>, z2: Tensor<2>, tau: f32) -> LossParts {
    let (h1, h2) = (l2_normalize(z1), l2_normalize(z2));
    let m = 2 * h1.dims()[0];
    let half_sq = (h1.clone() - h2.clone())
        .square()
        .sum_dim(1)
        .div_scalar(2.0); // [n, 1]
    let alignment = half_sq.mean().div_scalar(tau);
    let h = Tensor::cat(vec![h1, h2], 0); // [2n, d]
    let device = h.device();
    let sim = h.clone().matmul(h.transpose()).div_scalar(tau); // [2n, 2n]
    let sim = sim.mask_fill(self_mask(m, &device), -1e9);
    let distribution = log_sum_exp(sim).mean().sub_scalar(1.0 / tau);
    parts(alignment, distribution)
}

/// Wang & Isola's uniformity `log E_{i≠j} exp(−t‖x_i − x_j‖²)` of unit rows.
///
/// # Shapes
/// `h: [n, d]` (unit rows) → `[1]`
fn uniformity(h: Tensor<2>, t: f32) -> Tensor<1> {
    let n = h.dims()[0];
    let device = h.device();
    let gram = h.clone().matmul(h.transpose()); // [n, n]
    let sq = gram.mul_scalar(-2.0).add_scalar(2.0); // ‖x_i − x_j‖² for unit rows
    let logits = sq.mul_scalar(-t).mask_fill(self_mask(n, &device), -1e9); // [n, n]
    let flat = logits.reshape([1, n * n]);
    log_sum_exp(flat)
        .reshape([1])
        .sub_scalar(((n * (n - 1)) as f32).ln())
}

/// `mean((sorted_prior − sorted(h W))²)` over the `m` samples and `d` directions.
///
/// # Shapes
/// `h: [m, d]` → `[1]`
fn sliced_wasserstein(h: Tensor<2>, draw: &SwdDraw, device_sort: bool) -> Tensor<1> {
    let device = h.device();
    let (m, d) = (draw.m, draw.d);
    let w = Tensor::<2>::from_data(TensorData::new(draw.directions.clone(), [d, d]), &device);
    let prior = Tensor::<2>::from_data(TensorData::new(draw.sorted_prior.clone(), [m, d]), &device);
    let projected = h.matmul(w); // [m, d]
    if device_sort {
        return (prior - projected.sort(0)).square().mean();
    }
    // Without a device sort: each value's rank in its column, by counting smaller values; the
    // matching prior quantile is gathered at that rank. Same loss, all on the device.
    let constant = projected.clone().detach();
    let column_i = constant.clone().unsqueeze_dim::<3>(1).expand([m, m, d]); // [m(i), m(k), d]
    let column_k = constant.unsqueeze_dim::<3>(0).expand([m, m, d]); // [m(i), m(k), d]
    let rank = column_k.lower(column_i).int().sum_dim(1).reshape([m, d]); // [m, d]
    let target = prior.gather(0, rank); // [m, d]
    (target - projected).square().mean()
}

/// Diagnostics read at checkpoints, all on unit-normalised projections: contrastive top-1
/// accuracy (is the positive the most similar of the 2n − 1 others?), Wang–Isola alignment
/// `E‖x − y‖²` and uniformity with t = 2.
///
/// # Shapes
/// `z1, z2: [n, d]` → `[3]`: (accuracy, alignment, uniformity)
pub fn diagnostics(z1: Tensor<2>, z2: Tensor<2>) -> Tensor<1> {
    let n = z1.dims()[0];
    let (h1, h2) = (l2_normalize(z1), l2_normalize(z2));
    let device = h1.device();
    let alignment = (h1.clone() - h2.clone()).square().sum_dim(1).mean();
    let h = Tensor::cat(vec![h1, h2], 0); // [2n, d]
    let sim = h
        .clone()
        .matmul(h.clone().transpose())
        .mask_fill(self_mask(2 * n, &device), -1e9); // [2n, 2n]
    let predicted = sim.argmax(1).reshape([2 * n]); // [2n]
    let positive: Vec<i64> = (0..2 * n).map(|i| ((i + n) % (2 * n)) as i64).collect();
    let positive = Tensor::<1, Int>::from_data(TensorData::new(positive, [2 * n]), &device);
    let accuracy = predicted.equal(positive).float().mean();
    let uniformity = uniformity(h, 2.0);
    Tensor::cat(vec![accuracy, alignment, uniformity], 0)
}
