//! Seeded initialisation for every layer: weights are drawn from the project's own seeded
//! streams (not burn's global RNG), so the same link initialises the same network natively and
//! in the browser, on CPU and on GPU.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use super::conv::Conv;
use crate::params::ConvKind;
use crate::rng::SeededRng;

/// Kaiming-uniform weights (`bound = sqrt(6 / fan_in)`) from a seeded stream.
fn kaiming(rng: &mut SeededRng, count: usize, fan_in: usize) -> Vec<f32> {
    let bound = (6.0 / fan_in as f32).sqrt();
    (0..count).map(|_| rng.range(-bound, bound)).collect()
}

/// A convolution without bias (BatchNorm follows every one), Kaiming-initialised in burn's
/// weight order whatever its kind, so `conv=gemm` and `conv=burn` start equal.
pub(super) fn conv(
    kind: ConvKind,
    [c_in, c_out]: [usize; 2],
    kernel: usize,
    stride: usize,
    rng: &mut SeededRng,
    device: &Device,
) -> Conv {
    let w = kaiming(rng, c_out * c_in * kernel * kernel, c_in * kernel * kernel);
    Conv::new(kind, c_in, c_out, kernel, stride, w, device)
}

/// A linear layer with Kaiming-initialised weights and a zero bias.
pub(super) fn linear(d_in: usize, d_out: usize, rng: &mut SeededRng, device: &Device) -> Linear {
    let mut layer = LinearConfig::new(d_in, d_out).init(device);
    layer.weight = Param::from_data(
        TensorData::new(kaiming(rng, d_in * d_out, d_in), [d_in, d_out]),
        device,
    );
    layer.bias = Some(Param::from_data(
        TensorData::new(vec![0.0f32; d_out], [d_out]),
        device,
    ));
    layer
}
