//! CPU (flex) and wgpu agree on the loss and the gradients of one step from the same init and
//! batch. Without a GPU this runs on Debian's lavapipe (software Vulkan, `mesa-vulkan-drivers`),
//! which compiles kernels slowly: the model and batch are tiny on purpose.

// Native only: this needs a native wgpu device (a GPU driver or software Vulkan).
#![cfg(not(target_family = "wasm"))]

use burn::prelude::*;
use std::sync::Arc;

use cpg::data::augment::Augment;
use cpg::data::generate;
use cpg::learn::backend::{BackendKind, cpu_device, wgpu_device};
use cpg::learn::config::LossConfig;
use cpg::learn::loss::{SwdDraw, contrastive_loss};
use cpg::learn::model::Model;
use cpg::rng::stream;
use cpg::url::decode;

/// Loss, its parts and d(loss)/d(input) for one step on `device`.
fn one_step(query: &str, device: &Device, backend: BackendKind) -> (Vec<f32>, Vec<f32>) {
    let c = decode(query).config;
    let ds = Arc::new(generate(&c, None).unwrap());
    let n = c.batch;
    let idx: Vec<usize> = (0..n).collect();
    let (a, b) = ds.two_views(&ds.train, &idx, &Augment::from_config(&c), c.seed, 0);
    let device = device.clone().autodiff();
    let model = Model::new(&c, ds.input_channels(), ds.height, ds.width, &device);
    let shape = [2 * n, ds.input_channels(), ds.height, ds.width];
    let x = Tensor::<4>::from_data(TensorData::new([a.data, b.data].concat(), shape), &device)
        .require_grad();
    let z = model.head.forward(model.encoder.forward(x.clone())); // [2n, out]
    let (z1, z2) = (z.clone().narrow(0, 0, n), z.narrow(0, n, n));
    let draw = SwdDraw::new(c.loss, 2 * n, z1.dims()[1], &mut stream(c.seed, "swd", 0));
    let parts = contrastive_loss(
        &LossConfig::from(&c),
        z1,
        z2,
        Some(&draw),
        backend.has_device_sort(),
    );
    let grads = parts.total.backward();
    let read = |t: Tensor<1>| t.into_data().try_into_vec_as::<f32>().unwrap();
    let losses = read(Tensor::cat(
        vec![
            parts.total.inner(),
            parts.alignment.inner(),
            parts.distribution.inner(),
        ],
        0,
    ));
    let grad = read(x.grad(&grads).expect("input gradient").reshape([-1]));
    (losses, grad)
}

#[test]
fn cpu_and_wgpu_agree_on_loss_and_gradients() {
    let gpu = wgpu_device().expect("a wgpu adapter (install mesa-vulkan-drivers for lavapipe)");
    for loss in ["ntxent", "swd_sphere"] {
        let q = format!(
            "data=digits&train_size=64&test_size=32&batch=4&width=0.25&head_width=16&out_dim=8&loss={loss}"
        );
        let (cpu_loss, cpu_grad) = one_step(&q, &cpu_device(), BackendKind::Cpu);
        let (gpu_loss, gpu_grad) = one_step(&q, &gpu, BackendKind::Wgpu);
        for (a, b) in cpu_loss.iter().zip(&gpu_loss) {
            assert!(
                (a - b).abs() < 1e-3 * (1.0 + a.abs()),
                "{loss}: loss parts cpu {cpu_loss:?} vs wgpu {gpu_loss:?}"
            );
        }
        let scale = cpu_grad.iter().fold(0.0f32, |m, g| m.max(g.abs()));
        assert!(scale > 0.0, "{loss}: zero gradient");
        let worst = cpu_grad
            .iter()
            .zip(&gpu_grad)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-2 * scale,
            "{loss}: gradient differs by {worst} (max |g| {scale})"
        );
    }
}
