//! The CPU's one-pass Adam against burn's Adam: the same parameters and moments bit for bit,
//! step after step, with and without weight decay, for parameters of one part and of many;
//! and the update against the formula written out naively.

use burn::optim::{AdamConfig, AdamState, Optimizer, decay::WeightDecayConfig};
use burn::prelude::*;

use cpg::learn::backend::cpu_device;
use cpg::learn::kernels::adam::{FusedAdam, Step, plain};
use cpg::rng::stream;

fn bits<const D: usize>(t: &Tensor<D>) -> Vec<u32> {
    let values = t.clone().into_data().try_into_vec_as::<f32>().unwrap();
    values.iter().map(|v| v.to_bits()).collect()
}

/// Values of every size class, exact zeros of both signs among them.
fn values(count: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut rng = stream(seed, "adam-test", 0);
    (0..count)
        .map(|i| match i % 97 {
            0 => 0.0,
            1 => -0.0,
            2 => 1e-30 * scale,
            3 => 1e4 * scale,
            _ => rng.normal() * scale,
        })
        .collect()
}

fn moments<const D: usize>(state: &Option<AdamState<D>>) -> (usize, Vec<u32>, Vec<u32>) {
    let m = &state.as_ref().expect("Adam keeps a state").momentum;
    (m.time, bits(&m.moment_1), bits(&m.moment_2))
}

fn same_as_burn(shape: [usize; 2], penalty: Option<f32>) {
    let device = cpu_device();
    let n = shape[0] * shape[1];
    let burn_adam = AdamConfig::new()
        .with_weight_decay(penalty.map(WeightDecayConfig::new))
        .build();
    let ours = FusedAdam::new(penalty);
    let start = Tensor::<2>::from_data(TensorData::new(values(n, 1, 0.5), shape), &device);
    let (mut theirs_theta, mut ours_theta) = (start.clone(), start);
    let (mut theirs_state, mut ours_state) = (None, None);
    for step in 0..5u64 {
        let grad = Tensor::<2>::from_data(
            TensorData::new(values(n, 10 + step, 10f32.powi(step as i32 - 2)), shape),
            &device,
        );
        let lr = [1e-3, 3e-4, 0.1, 1e-3, 0.0][step as usize];
        let (t, s) = burn_adam.step(lr, theirs_theta, grad.clone(), theirs_state);
        (theirs_theta, theirs_state) = (t, s);
        let (t, s) = ours.step(lr, ours_theta, grad, ours_state);
        (ours_theta, ours_state) = (t, s);
        let what = format!("{shape:?}, weight decay {penalty:?}, step {}", step + 1);
        assert_eq!(bits(&ours_theta), bits(&theirs_theta), "parameters, {what}");
        assert_eq!(
            moments(&ours_state),
            moments(&theirs_state),
            "moments, {what}"
        );
    }
}

#[test]
fn one_pass_adam_is_burns_adam_bit_for_bit() {
    for shape in [[1, 5], [3, 7], [64, 129], [300, 301]] {
        for penalty in [None, Some(1e-4), Some(0.5)] {
            same_as_burn(shape, penalty);
        }
    }
}

#[test]
fn one_pass_adam_is_the_formula() {
    let n = 20_000;
    let (theta, g, m, v) = (
        values(n, 2, 1.0),
        values(n, 3, 0.1),
        values(n, 4, 0.01),
        values(n, 5, 1e-3).iter().map(|x| x * x).collect::<Vec<_>>(),
    );
    // The f32 constants, in f64.
    let [beta_1, beta_2, epsilon, penalty] = [0.9f32, 0.999, 1e-5, 0.01].map(f64::from);
    let (lr, time) = (2e-3, 7);
    let s = Step::new(
        [beta_1 as f32, beta_2 as f32, epsilon as f32],
        time,
        lr,
        Some(penalty as f32),
    );
    let (theta_out, m_out, v_out) = plain::update(&theta, &g, &m, &v, s);
    for i in 0..n {
        let (t, g) = (theta[i] as f64, g[i] as f64 + penalty * theta[i] as f64);
        let m1 = beta_1 * m[i] as f64 + (1.0 - beta_1) * g;
        let m2 = beta_2 * v[i] as f64 + (1.0 - beta_2) * g * g;
        let (m_hat, v_hat) = (
            m1 / (1.0 - beta_1.powi(time as i32)),
            m2 / (1.0 - beta_2.powi(time as i32)),
        );
        let want = t - lr * m_hat / (v_hat.sqrt() + epsilon);
        let close = |a: f32, b: f64| (a as f64 - b).abs() <= 1e-5 * (1.0 + b.abs());
        assert!(close(m_out[i], m1), "m at {i}: {} vs {m1}", m_out[i]);
        assert!(close(v_out[i], m2), "v at {i}: {} vs {m2}", v_out[i]);
        assert!(
            close(theta_out[i], want),
            "θ at {i}: {} vs {want}",
            theta_out[i]
        );
    }
}
