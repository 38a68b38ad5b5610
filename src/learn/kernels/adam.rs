//! Adam's update on the CPU as one pass over each parameter, shared between the cores.
//!
//! burn's Adam composes a dozen tensor ops per parameter (moments, bias correction, the step),
//! each a pass with a fresh buffer, all on one thread. Here every entry goes through the same
//! f32 operations in the same order (each IEEE-rounded, none fused), so the parameters and
//! moments are bit for bit burn's (tested in `tests/adam.rs`); other backends keep burn's Adam.
//!
//! With weight decay `λ`, time `t`, `c₂ = √(1 − β₂ᵗ)`:
//!
//! * `g ← θ·λ + g`
//! * `m ← m·β₁ + g·(1 − β₁)`, `v ← v·β₂ + (g·g)·(1 − β₂)` (at `t = 1`: `g·(1 − β₁)`, `(g·g)·(1 − β₂)`)
//! * `θ ← θ − ((m·(c₂ / (1 − β₁ᵗ))) / (√v + ε·c₂))·lr`

use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Flex, backend_extension};
use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, Optimizer,
    decay::WeightDecayConfig,
};
use burn::prelude::*;

use super::{tensor, values};
use crate::par::filled_many;

/// Entries per task: parameters smaller than this are updated on one thread.
const PART: usize = 8192;

/// Adam's β₁, β₂ and ε: burn's defaults, which [`FusedAdam`] hands to burn's Adam too.
const BETAS_EPSILON: [f32; 3] = [0.9, 0.999, 1e-5];

/// The scalars of one step, computed as burn's Adam computes them (in f32).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub beta_1: f32,
    pub beta_2: f32,
    /// `ε·c₂`.
    pub epsilon: f32,
    /// `c₂ / (1 − β₁ᵗ)`.
    pub combined: f32,
    /// The learning rate as the f32 it multiplies with.
    pub lr: f32,
    /// Weight decay's `λ`, if any.
    pub penalty: Option<f32>,
    /// Whether this is the first step (no moments yet).
    pub first: bool,
}

impl Step {
    /// Step `time` (1-based) of Adam with `β₁`, `β₂`, `ε` at learning rate `lr`.
    pub fn new(
        [beta_1, beta_2, epsilon]: [f32; 3],
        time: usize,
        lr: LearningRate,
        penalty: Option<f32>,
    ) -> Self {
        let t = time as i32;
        let bias_correction2_sqrt = (1.0 - beta_2.powi(t)).sqrt();
        Self {
            beta_1,
            beta_2,
            epsilon: epsilon * bias_correction2_sqrt,
            combined: bias_correction2_sqrt / (1.0 - beta_1.powi(t)),
            lr: lr as f32,
            penalty,
            first: time == 1,
        }
    }
}

/// The update on plain slices.
pub mod plain {
    use super::*;

    /// `(θ, m, v)` after one step from `θ`, its gradient `g` and the moments `m`, `v` (unread
    /// on the first step).
    pub fn update(
        theta: &[f32],
        g: &[f32],
        m: &[f32],
        v: &[f32],
        s: Step,
    ) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let n = theta.len();
        assert_eq!(g.len(), n, "adam: gradient size");
        assert!(
            s.first || (m.len() == n && v.len() == n),
            "adam: moment sizes"
        );
        let (f1, f2) = (1.0 - s.beta_1, 1.0 - s.beta_2);
        let [theta_out, m_out, v_out] = filled_many(n, PART, |i, [t_out, m_out, v_out]| {
            let at = i * PART;
            for j in 0..t_out.len() {
                let (theta, grad) = (theta[at + j], g[at + j]);
                let grad = match s.penalty {
                    Some(penalty) => theta * penalty + grad,
                    None => grad,
                };
                let (m1, m2) = if s.first {
                    (grad * f1, (grad * grad) * f2)
                } else {
                    (
                        m[at + j] * s.beta_1 + grad * f1,
                        v[at + j] * s.beta_2 + (grad * grad) * f2,
                    )
                };
                let update = (m1 * s.combined) / (m2.sqrt() + s.epsilon);
                t_out[j] = theta - update * s.lr;
                m_out[j] = m1;
                v_out[j] = m2;
            }
        });
        (theta_out, m_out, v_out)
    }
}

/// One Adam step of a parameter as a backend operation: `(θ, m, v)` after the step (`m` and
/// `v` unread on the first step).
#[backend_extension(Flex)]
pub trait AdamUpdate: Backend {
    fn adam_update(
        theta: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        m: FloatTensor<Self>,
        v: FloatTensor<Self>,
        step: Step,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

impl AdamUpdate for Flex {
    fn adam_update(
        theta: FlexTensor,
        grad: FlexTensor,
        m: FlexTensor,
        v: FlexTensor,
        step: Step,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let shape = theta.layout().shape().clone();
        let (theta, m, v) = plain::update(
            &values(&theta),
            &values(&grad),
            &values(&m),
            &values(&v),
            step,
        );
        (
            tensor(theta, shape.clone()),
            tensor(m, shape.clone()),
            tensor(v, shape),
        )
    }
}

/// burn's Adam (no AMSGrad, no gradient clipping), whose update runs as [`AdamUpdate`] where
/// the CPU kernels are [`available`](super::available). Its state is burn's `AdamState`.
#[derive(Clone)]
pub struct FusedAdam {
    burn: Adam,
    penalty: Option<f32>,
}

impl FusedAdam {
    /// Adam with burn's defaults (β₁ 0.9, β₂ 0.999, ε 1e-5) and weight decay `penalty`.
    pub fn new(penalty: Option<f32>) -> Self {
        let [beta_1, beta_2, epsilon] = BETAS_EPSILON;
        let burn = AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .with_weight_decay(penalty.map(WeightDecayConfig::new))
            .build();
        Self { burn, penalty }
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        theta: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if !super::available(&theta.device()) {
            return self.burn.step(lr, theta, grad, state);
        }
        let (time, m, v) = match state {
            Some(AdamState { momentum }) => {
                (momentum.time + 1, momentum.moment_1, momentum.moment_2)
            }
            None => (1, grad.clone(), grad.clone()),
        };
        let (theta, m, v) = <burn::backend::Dispatch as AdamUpdate>::adam_update(
            theta.into_dispatch(),
            grad.into_dispatch(),
            m.into_dispatch(),
            v.into_dispatch(),
            Step::new(BETAS_EPSILON, time, lr, self.penalty),
        );
        let momentum =
            AdaptiveMomentumState::new(time, Tensor::from_dispatch(m), Tensor::from_dispatch(v));
        (Tensor::from_dispatch(theta), Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        <Adam as Optimizer>::to_device(state, device)
    }
}
