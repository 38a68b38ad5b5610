//! Hand-written CPU kernels, as burn backend extensions of its CPU backend: the batch-level
//! convolution (`conv`), BatchNorm on batch-last maps (`norm`) and the dense layer (`linear`),
//! each with its own backward pass, and Adam's update (`adam`).
//! Other backends run the same maths as burn tensor ops.

use burn::backend::flex::FlexTensor;
use burn::prelude::*;

pub mod adam;
pub mod conv;
pub mod linear;
pub mod norm;
pub mod parts;
mod product;

/// Whether the CPU kernels run on `device` (burn's CPU backend, with or without autodiff).
pub fn available(device: &Device) -> bool {
    matches!(
        device.clone().without_autodiff().as_dispatch(),
        burn::backend::DispatchDevice::Flex(_)
    )
}

/// Output side of a convolution with padding `kernel / 2`.
pub fn output_side(side: usize, kernel: usize, stride: usize) -> usize {
    (side + 2 * (kernel / 2) - kernel) / stride + 1
}

/// A tensor's values, contiguous, as `f32`.
fn values(t: &FlexTensor) -> std::borrow::Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(
            t.to_contiguous()
                .into_data()
                .try_into_vec::<f32>()
                .expect("batch_conv runs on f32 tensors"),
        ),
    }
}

/// A CPU tensor of `values` in `shape`.
fn tensor(values: Vec<f32>, shape: impl Into<Shape>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.into()))
}
