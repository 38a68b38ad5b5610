//! Learning: losses against naive references and numerical gradients, the head-depth knob,
//! both encoders, training that learns, determinism, NaN detection, local features.

// Native only: these run the async training loop with `block_on`, and wasm cannot block.
#![cfg(not(target_family = "wasm"))]

use burn::prelude::*;
use std::sync::Arc;

use cpg::data::generate;
use cpg::learn::backend::{BackendKind, block_on, cpu_device};
use cpg::learn::config::{HeadConfig, LossConfig};
use cpg::learn::loss::{SwdDraw, contrastive_loss, diagnostics, random_orthogonal};
use cpg::learn::model::{Head, Model};
use cpg::learn::run::{Control, Run, drive};
use cpg::learn::train::{TrainError, reconstruction_loss};
use cpg::params::{ExperimentConfig, LossKind, ReconWeights};
use cpg::record::RunRecord;
use cpg::rng::stream;

mod common;
use common::config;

fn random_rows(n: usize, d: usize, seed: u64) -> Vec<f32> {
    let mut rng = stream(seed, "test-rows", 0);
    (0..n * d).map(|_| rng.normal()).collect()
}

// ---------- naive references over Vec<f32> ----------

fn normalize(x: &[f32], d: usize) -> Vec<f32> {
    x.chunks(d)
        .flat_map(|r| {
            let n = (r.iter().map(|v| v * v).sum::<f32>() + 1e-12).sqrt();
            r.iter().map(move |v| v / n)
        })
        .collect()
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
}

fn lse(v: &[f64]) -> f64 {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// Textbook NT-Xent: mean over 2n anchors of −log softmax of the positive among the others.
fn naive_ntxent(z1: &[f32], z2: &[f32], d: usize, tau: f64) -> f64 {
    naive_ntxent_over(z1, z2, d, tau, false)
}

/// NT-Xent with the anchor itself among the candidates (the notebook's log-sum-exp convention).
fn naive_ntxent_with_self(z1: &[f32], z2: &[f32], d: usize, tau: f64) -> f64 {
    naive_ntxent_over(z1, z2, d, tau, true)
}

/// Mean over 2n anchors of −log softmax of the positive among the candidates: every other row,
/// and the anchor itself when `with_self`.
fn naive_ntxent_over(z1: &[f32], z2: &[f32], d: usize, tau: f64, with_self: bool) -> f64 {
    let n = z1.len() / d;
    let all: Vec<f32> = [normalize(z1, d), normalize(z2, d)].concat();
    let row = |i: usize| &all[i * d..(i + 1) * d];
    (0..2 * n)
        .map(|i| {
            let pos = (i + n) % (2 * n);
            let candidates: Vec<f64> = (0..2 * n)
                .filter(|&k| with_self || k != i)
                .map(|k| dot(row(i), row(k)) / tau)
                .collect();
            lse(&candidates) - dot(row(i), row(pos)) / tau
        })
        .sum::<f64>()
        / (2 * n) as f64
}

/// The notebook's alignment: mean squared difference over batch and dimensions, halved.
fn naive_half_mean_square(h1: &[f32], h2: &[f32]) -> f64 {
    h1.iter()
        .zip(h2)
        .map(|(a, b)| ((a - b) as f64).powi(2))
        .sum::<f64>()
        / h1.len() as f64
        / 2.0
}

/// The decoupled loss with λ in NT-Xent units: the notebook's weight is λ·τ/d.
fn naive_logsumexp(z1: &[f32], z2: &[f32], d: usize, tau: f64, lambda: f64) -> f64 {
    let lambda = lambda * tau / d as f64;
    let (h1, h2) = (normalize(z1, d), normalize(z2, d));
    let align = naive_half_mean_square(&h1, &h2);
    let all: Vec<f32> = [h1, h2].concat();
    let m = all.len() / d;
    let dist = (0..m)
        .map(|i| {
            lse(&(0..m)
                .map(|k| dot(&all[i * d..][..d], &all[k * d..][..d]) / tau)
                .collect::<Vec<_>>())
        })
        .sum::<f64>()
        / m as f64;
    align + lambda * dist
}

fn naive_swd(z1: &[f32], z2: &[f32], d: usize, lambda: f64, draw: &SwdDraw, sphere: bool) -> f64 {
    let (h1, h2) = if sphere {
        (normalize(z1, d), normalize(z2, d))
    } else {
        (z1.to_vec(), z2.to_vec())
    };
    let align = naive_half_mean_square(&h1, &h2);
    let all: Vec<f32> = [h1, h2].concat();
    let m = all.len() / d;
    let mut total = 0.0;
    for j in 0..d {
        let mut proj: Vec<f64> = (0..m)
            .map(|i| {
                (0..d)
                    .map(|k| all[i * d + k] as f64 * draw.directions[k * d + j] as f64)
                    .sum()
            })
            .collect();
        proj.sort_by(f64::total_cmp);
        total += (0..m)
            .map(|i| (draw.sorted_prior[i * d + j] as f64 - proj[i]).powi(2))
            .sum::<f64>();
    }
    align + lambda * total / (m * d) as f64
}

fn naive_align_uniform(z1: &[f32], z2: &[f32], d: usize, t: f64, lambda: f64) -> f64 {
    let (h1, h2) = (normalize(z1, d), normalize(z2, d));
    let n = h1.len() / d;
    let align = h1
        .iter()
        .zip(&h2)
        .map(|(a, b)| ((a - b) as f64).powi(2))
        .sum::<f64>()
        / n as f64;
    let unif = |h: &[f32]| {
        let mut s = Vec::new();
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let sq: f64 = (0..d)
                        .map(|k| ((h[i * d + k] - h[j * d + k]) as f64).powi(2))
                        .sum();
                    s.push(-t * sq);
                }
            }
        }
        lse(&s) - ((n * (n - 1)) as f64).ln()
    };
    align + lambda * (unif(&h1) + unif(&h2)) / 2.0
}

fn naive(
    kind: LossKind,
    c: &ExperimentConfig,
    z1: &[f32],
    z2: &[f32],
    d: usize,
    draw: &SwdDraw,
) -> f64 {
    let (tau, lambda) = (c.tau as f64, c.lambda as f64);
    match kind {
        LossKind::NtXent => naive_ntxent(z1, z2, d, tau),
        LossKind::LogSumExp => naive_logsumexp(z1, z2, d, tau, lambda),
        LossKind::SwdSphere => naive_swd(z1, z2, d, lambda, draw, true),
        LossKind::SwdCube | LossKind::SwdNormal => naive_swd(z1, z2, d, lambda, draw, false),
        LossKind::AlignUniform => naive_align_uniform(z1, z2, d, c.uniformity_t as f64, lambda),
    }
}

/// Our loss (total) at `z1`, `z2` on the CPU device, with the gradient w.r.t. `z1`.
fn ours(
    c: &ExperimentConfig,
    z1: &[f32],
    z2: &[f32],
    d: usize,
    draw: &SwdDraw,
    device_sort: bool,
) -> (f32, Vec<f32>, f32, f32) {
    let dev = cpu_device().autodiff();
    let n = z1.len() / d;
    let t1 = Tensor::<2>::from_data(TensorData::new(z1.to_vec(), [n, d]), &dev).require_grad();
    let t2 = Tensor::<2>::from_data(TensorData::new(z2.to_vec(), [n, d]), &dev);
    let parts = contrastive_loss(
        &LossConfig::from(c),
        t1.clone(),
        t2,
        Some(draw),
        device_sort,
    );
    let grads = parts.total.backward();
    let g: Vec<f32> = t1
        .grad(&grads)
        .unwrap()
        .into_data()
        .try_into_vec_as::<f32>()
        .unwrap();
    let scalar = |t: Tensor<1>| t.into_scalar::<f32>();
    (
        scalar(parts.total.clone()),
        g,
        scalar(parts.alignment),
        scalar(parts.distribution),
    )
}

#[test]
fn every_loss_matches_its_naive_reference_and_numerical_gradient() {
    let (n, d) = (6, 5);
    for kind in [
        LossKind::NtXent,
        LossKind::LogSumExp,
        LossKind::SwdSphere,
        LossKind::SwdCube,
        LossKind::SwdNormal,
        LossKind::AlignUniform,
    ] {
        let c = ExperimentConfig {
            loss: kind,
            tau: 0.3,
            lambda: 0.7,
            uniformity_t: 1.5,
            ..Default::default()
        };
        let z1 = random_rows(n, d, 1);
        let z2: Vec<f32> = z1
            .iter()
            .zip(random_rows(n, d, 2))
            .map(|(a, b)| a + 0.5 * b)
            .collect();
        let draw = SwdDraw::new(kind, 2 * n, d, &mut stream(0, "swd-test", 0));
        let reference = naive(kind, &c, &z1, &z2, d, &draw);
        for device_sort in [true, false] {
            let (value, grad, alignment, distribution) = ours(&c, &z1, &z2, d, &draw, device_sort);
            assert!(
                (value as f64 - reference).abs() < 1e-4 * (1.0 + reference.abs()),
                "{kind}: ours {value} vs naive {reference}"
            );
            assert!(
                (alignment + distribution - value).abs() < 1e-4,
                "{kind}: parts do not add up"
            );
            // Central differences of the naive loss (in f64) against autodiff.
            for i in [0, 3, 7, 11, 29] {
                let h = 1e-3;
                let (mut up, mut down) = (z1.clone(), z1.clone());
                up[i] += h;
                down[i] -= h;
                let numeric = (naive(kind, &c, &up, &z2, d, &draw)
                    - naive(kind, &c, &down, &z2, d, &draw))
                    / (2.0 * h as f64);
                assert!(
                    (grad[i] as f64 - numeric).abs() < 2e-3 * (1.0 + numeric.abs()),
                    "{kind} (device_sort {device_sort}): d/dz1[{i}] autodiff {} vs numeric {numeric}",
                    grad[i]
                );
            }
        }
    }
}

#[test]
fn ntxent_split_follows_the_paper_decomposition() {
    // τ·NT-Xent = ½‖z̃_i − z̃_j‖² + τ·log Σ_{k≠i} exp(z̃_i·z̃_k/τ) − 1: the alignment part is
    // the first term over τ.
    let (n, d) = (4, 3);
    let z1 = random_rows(n, d, 5);
    let z2 = random_rows(n, d, 6);
    let c = ExperimentConfig {
        tau: 0.5,
        ..Default::default()
    };
    let draw = SwdDraw::new(LossKind::NtXent, 2 * n, d, &mut stream(0, "x", 0));
    let (_, _, alignment, _) = ours(&c, &z1, &z2, d, &draw, true);
    let (h1, h2) = (normalize(&z1, d), normalize(&z2, d));
    let half_sq: f64 = h1
        .chunks(d)
        .zip(h2.chunks(d))
        .map(|(a, b)| {
            a.iter()
                .zip(b)
                .map(|(x, y)| ((x - y) as f64).powi(2))
                .sum::<f64>()
                / 2.0
        })
        .sum::<f64>()
        / n as f64;
    assert!((alignment as f64 - half_sq / 0.5).abs() < 1e-5);
}

#[test]
fn logsumexp_at_lambda_one_is_ntxents_split() {
    // d/τ · logsumexp(λ = 1) = NT-Xent with the anchor among its candidates, plus 1/τ: the
    // same balance of alignment and distribution, exactly.
    let (n, d, tau) = (16, 8, 0.3f32);
    let z1 = random_rows(n, d, 11);
    let z2: Vec<f32> = z1
        .iter()
        .zip(random_rows(n, d, 12))
        .map(|(a, b)| a + 0.4 * b)
        .collect();
    let c = ExperimentConfig {
        loss: LossKind::LogSumExp,
        tau,
        lambda: 1.0,
        ..Default::default()
    };
    let draw = SwdDraw::new(LossKind::LogSumExp, 2 * n, d, &mut stream(0, "x", 0));
    let (lse_loss, lse_grad, _, _) = ours(&c, &z1, &z2, d, &draw, true);
    let scaled = lse_loss as f64 * d as f64 / tau as f64;
    let reference = naive_ntxent_with_self(&z1, &z2, d, tau as f64) + 1.0 / tau as f64;
    assert!(
        (scaled - reference).abs() < 1e-4 * reference.abs(),
        "{scaled} vs {reference}"
    );
    // Its gradient points where standard NT-Xent's does (the self term only nudges it), and far
    // from where the notebook's λ = 1 (ours: λ = d/τ) points.
    let ntxent = ExperimentConfig {
        loss: LossKind::NtXent,
        ..c.clone()
    };
    let (_, nt_grad, _, _) = ours(&ntxent, &z1, &z2, d, &draw, true);
    let cosine = |a: &[f32], b: &[f32]| dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt());
    let matched = cosine(&lse_grad, &nt_grad);
    let notebook = ExperimentConfig {
        lambda: d as f32 / tau,
        ..c.clone()
    };
    let (_, nb_grad, _, _) = ours(&notebook, &z1, &z2, d, &draw, true);
    let unmatched = cosine(&nb_grad, &nt_grad);
    assert!(matched > 0.95, "cosine with NT-Xent {matched}");
    assert!(
        unmatched < matched - 0.05,
        "notebook lambda {unmatched} vs {matched}"
    );
}

#[test]
fn random_orthogonal_is_orthogonal() {
    let d = 7;
    let w = random_orthogonal(d, &mut stream(1, "o", 0));
    for a in 0..d {
        for b in 0..d {
            let dot: f32 = (0..d).map(|k| w[k * d + a] * w[k * d + b]).sum();
            assert!((dot - f32::from(a == b)).abs() < 1e-5);
        }
    }
}

#[test]
fn the_balanced_reconstruction_weighs_the_image_as_much_as_all_bit_planes() {
    let device = cpu_device();
    // Two views of 1 image channel and 10 bit planes, 3×2 pixels: errors 0.5 on the image
    // and 1 on every bit value.
    let (n, c, b, hw) = (2, 1, 10, 6);
    let values: Vec<f32> = (0..n)
        .flat_map(|_| (0..c + b).flat_map(move |ch| vec![if ch < c { 0.5 } else { 1.0 }; hw]))
        .collect();
    let squared =
        Tensor::<4>::from_data(TensorData::new(values.clone(), [n, c + b, 3, 2]), &device);
    let read = |t: Tensor<1>| t.into_data().try_into_vec_as::<f32>().unwrap()[0];
    // Naive: the image's mean and the bits' mean, each half.
    let mean = |keep: &dyn Fn(usize) -> bool| {
        let picked: Vec<f32> = values
            .iter()
            .enumerate()
            .filter(|(i, _)| keep((i / hw) % (c + b)))
            .map(|(_, v)| *v)
            .collect();
        picked.iter().sum::<f32>() / picked.len() as f32
    };
    let balanced = 0.5 * mean(&|ch| ch < c) + 0.5 * mean(&|ch| ch >= c);
    let every = mean(&|_| true);
    let ours = read(reconstruction_loss(
        squared.clone(),
        c,
        b,
        ReconWeights::Balanced,
    ));
    assert!((ours - balanced).abs() < 1e-6, "{ours} vs {balanced}");
    assert!((balanced - 0.75).abs() < 1e-6);
    let ours = read(reconstruction_loss(
        squared.clone(),
        c,
        b,
        ReconWeights::EveryValue,
    ));
    assert!((ours - every).abs() < 1e-6, "{ours} vs {every}");
    // Every value alike, the 10 planes make the loss 10/11 bits.
    assert!((every - (0.5 + 10.0) / 11.0).abs() < 1e-6);
    // Without bits both weightings are the image's mean.
    let image = squared.narrow(1, 0, c);
    for w in [ReconWeights::Balanced, ReconWeights::EveryValue] {
        assert!((read(reconstruction_loss(image.clone(), c, 0, w)) - 0.5).abs() < 1e-6);
    }
}

#[test]
fn diagnostics_match_naive_definitions() {
    let (n, d) = (5, 4);
    let z1 = random_rows(n, d, 8);
    let z2: Vec<f32> = z1
        .iter()
        .zip(random_rows(n, d, 9))
        .map(|(a, b)| a + 0.3 * b)
        .collect();
    let dev = cpu_device();
    let t = |v: &Vec<f32>| Tensor::<2>::from_data(TensorData::new(v.clone(), [n, d]), &dev);
    let got: Vec<f32> = diagnostics(t(&z1), t(&z2))
        .into_data()
        .try_into_vec_as::<f32>()
        .unwrap();
    let all: Vec<f32> = [normalize(&z1, d), normalize(&z2, d)].concat();
    let correct = (0..2 * n)
        .filter(|&i| {
            let best = (0..2 * n)
                .filter(|&k| k != i)
                .max_by(|&a, &b| {
                    dot(&all[i * d..][..d], &all[a * d..][..d])
                        .total_cmp(&dot(&all[i * d..][..d], &all[b * d..][..d]))
                })
                .unwrap();
            best == (i + n) % (2 * n)
        })
        .count();
    assert!((got[0] - correct as f32 / (2 * n) as f32).abs() < 1e-6);
    let align: f64 = (0..n)
        .map(|i| {
            (0..d)
                .map(|k| ((all[i * d + k] - all[(i + n) * d + k]) as f64).powi(2))
                .sum::<f64>()
        })
        .sum::<f64>()
        / n as f64;
    assert!((got[1] as f64 - align).abs() < 1e-5);
}

#[test]
fn head_depth_builds_that_many_layers() {
    let dev = cpu_device();
    for depth in 0..=3 {
        let c = ExperimentConfig {
            head_depth: depth,
            head_width: 32,
            out_dim: 16,
            ..Default::default()
        };
        let config = HeadConfig::new(&c, 64);
        let head = Head::new(&config, &dev);
        assert_eq!(head.depth(), depth);
        let out = head.forward(Tensor::<2>::ones([3, 64], &dev));
        assert_eq!(out.dims(), [3, if depth == 0 { 64 } else { 16 }]);
        assert_eq!(config.output_dim(), out.dims()[1]);
    }
}

#[test]
fn both_encoders_give_the_representation_and_three_blocks() {
    let dev = cpu_device();
    for encoder in ["convnet", "resnet"] {
        let c = config(&format!("encoder={encoder}&width=0.25"));
        let model = Model::new(&c, 4, 32, 32, &dev);
        let (maps, h) = model
            .encoder
            .forward_blocks(Tensor::<4>::zeros([2, 4, 32, 32], &dev), 3);
        assert_eq!(h.dims(), [2, 32], "{encoder}");
        assert_eq!(maps.len(), 3);
        assert!(
            maps[0].dims()[2] > maps[2].dims()[2],
            "{encoder}: later blocks are coarser"
        );
    }
}

/// A tiny run to the end, returning its record.
fn tiny_run(query: &str) -> Result<RunRecord, TrainError> {
    let c = config(query);
    let ds = Arc::new(generate(&c, None).unwrap());
    let mut run = Run::new(&c, ds, BackendKind::Cpu, &cpu_device())?;
    block_on(drive(&mut run, || 0.0, |_, _| async { Control::Continue }))?;
    Ok(run.into_record())
}

const TINY: &str = "data=digits&train_size=256&test_size=64&batch=32&width=0.25&head_width=32&out_dim=16&eval_every=10&checkpoints=1";

#[test]
fn a_short_run_lowers_the_loss_and_the_probe_beats_chance() {
    let r = tiny_run(&format!("{TINY}&steps=60&lr=0.003&probe_lr=0.01")).unwrap();
    let (first, last) = (r.history.first().unwrap(), r.history.last().unwrap());
    assert_eq!(r.history.len(), 6);
    assert!(
        last.loss < first.loss - 0.1,
        "loss {} -> {}",
        first.loss,
        last.loss
    );
    let p = &r.final_metrics.probes["digit"];
    assert!(p.offline_test_acc > 2.0 * p.chance, "{p:?}");
    assert!((0.0..=1.0).contains(&r.final_metrics.contrastive_acc));
}

#[test]
fn the_same_config_twice_gives_bit_identical_records() {
    let q = TINY.replace("data=digits", "data=randbit&bits=4") + "&steps=20&loss=swd_sphere";
    let (mut a, mut b) = (tiny_run(&q).unwrap(), tiny_run(&q).unwrap());
    a.throughput.clear();
    b.throughput.clear();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn a_diverging_run_stops_with_the_step_of_the_first_non_finite_loss() {
    // SGD at lr 1 with momentum 0.999 on a huge-λ SWD to an unnormalised prior blows up.
    let q =
        format!("{TINY}&steps=200&loss=swd_normal&lambda=100&optimizer=sgd&lr=1&momentum=0.999");
    match tiny_run(&q) {
        Err(TrainError::NonFinite { step }) => {
            assert!((1..=200).contains(&step));
            let message = TrainError::NonFinite { step }.to_string();
            assert!(message.contains(&format!("step {step}")));
        }
        other => panic!(
            "expected a NaN stop, got {:?}",
            other.map(|r| r.history.last().cloned())
        ),
    }
}

#[test]
fn evaluation_reports_local_features_on_masked_data() {
    let r = tiny_run("data=scenes&canvas=32&train_size=64&test_size=32&batch=16&width=0.25&head_width=16&out_dim=8&steps=2&eval_every=1&checkpoints=1").unwrap();
    let e = r.evaluations.last().unwrap();
    assert_eq!(e.local.len(), 3);
    for l in &e.local {
        assert_eq!(l.maps.len(), e.local_images.len());
        assert!(
            l.maps
                .iter()
                .all(|m| m.len() == l.map_height * l.map_width
                    && m.iter().all(|&c| (c as usize) < 4))
        );
        assert!((-1.0..=1.0).contains(&l.ari));
    }
    assert!(r.final_metrics.ari.is_some() && r.final_metrics.ari_at_init.is_some());
}
