//! Convolution as one matrix product per layer over the whole batch.
//!
//! A k×k convolution with stride s and zero padding k/2 is the product of the weight
//! `[c_out, k·k·c]` with the input's k·k shifted, strided views stacked along channels
//! (`[k·k·c, ho·wo·n]`). The maps are kept batch-last, `[c, h, w, n]`: every strided view then
//! copies runs of `n` contiguous floats, and BatchNorm reduces contiguous rows. Written with
//! burn's tensor ops it runs on every backend, and its autodiff is two large products (input and
//! weight gradients) plus slice scatters, where burn's own `Conv2d` on the CPU runs many small
//! per-image products and a serial transposed convolution for the backward. `Conv2d` stays
//! selectable (`conv=burn`) to compare.

use burn::module::Param;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::Slice;

use super::kernels::{self, output_side};
use crate::params::ConvKind;

/// A k×k convolution without bias on batch-last maps, computed as one matrix product.
#[derive(Module, Debug)]
pub struct GemmConv {
    /// `[c_out, k·k·c_in]`; column `(ky·k + kx)·c_in + c` holds the weight of input channel `c`
    /// at kernel position (ky, kx).
    pub weight: Param<Tensor<2>>,
    #[module(skip)]
    pub kernel: usize,
    #[module(skip)]
    pub stride: usize,
}

/// Reorders burn's `[c_out, c_in, k, k]` weight layout into [`GemmConv`]'s `[c_out, k·k·c_in]`.
pub fn gemm_layout(weights: &[f32], c_in: usize, c_out: usize, kernel: usize) -> Vec<f32> {
    let kk = kernel * kernel;
    let mut out = vec![0.0; kk * c_in * c_out];
    for o in 0..c_out {
        for c in 0..c_in {
            for k in 0..kk {
                out[o * kk * c_in + k * c_in + c] = weights[(o * c_in + c) * kk + k];
            }
        }
    }
    out
}

impl GemmConv {
    /// # Shapes
    /// `x: [c_in, h, w, n]` → `[c_out, ho, wo, n]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        if kernels::available(&x.device()) {
            kernels::conv::batch_conv(x, self.weight.val(), self.kernel, self.stride)
        } else {
            self.forward_tensor_ops(x)
        }
    }

    /// The same convolution written with burn's tensor ops, as it runs on backends without the
    /// CPU kernel (`kernels/conv.rs`).
    ///
    /// # Shapes
    /// `x: [c_in, h, w, n]` → `[c_out, ho, wo, n]`
    pub fn forward_tensor_ops(&self, x: Tensor<4>) -> Tensor<4> {
        let [c, h, w, n] = x.dims();
        let (k, s, p) = (self.kernel, self.stride, self.kernel / 2);
        let (ho, wo) = (output_side(h, k, s), output_side(w, k, s));
        let c_out = self.weight.dims()[0];
        let x = if p > 0 {
            x.pad([(p, p), (p, p), (0, 0)], 0.0) // [c, h + 2p, w + 2p, n]
        } else {
            x
        };
        let strided = |start: usize, count: usize| {
            Slice::new(
                start as isize,
                Some((start + s * (count - 1) + 1) as isize),
                s as isize,
            )
        };
        let mut views: Vec<Tensor<4>> = (0..k * k)
            .map(|i| {
                let (ky, kx) = (i / k, i % k);
                x.clone().slice([
                    Slice::from(..),
                    strided(ky, ho),
                    strided(kx, wo),
                    Slice::from(..),
                ])
            })
            .collect(); // k·k × [c, ho, wo, n]
        let columns = if views.len() == 1 {
            views.remove(0)
        } else {
            Tensor::cat(views, 0) // [k·k·c, ho, wo, n]
        };
        let columns = columns.reshape([k * k * c, ho * wo * n]);
        self.weight
            .val()
            .matmul(columns) // [c_out, ho·wo·n]
            .reshape([c_out, ho, wo, n])
    }
}

/// A convolution as the encoder runs it: [`GemmConv`] on batch-last maps, or burn's
/// [`Conv2d`] on channels-first maps.
#[derive(Module, Debug)]
pub enum Conv {
    Gemm(GemmConv),
    Burn(Conv2d),
}

impl Conv {
    /// A k×k convolution (padding k/2, no bias) with `weights` in burn's `[c_out, c_in, k, k]`
    /// layout, so both kinds start from the same numbers. `auto` is [`resolve`]d for `device`.
    pub fn new(
        kind: ConvKind,
        c_in: usize,
        c_out: usize,
        kernel: usize,
        stride: usize,
        weights: Vec<f32>,
        device: &Device,
    ) -> Self {
        match resolve(kind, device) {
            ConvKind::Gemm | ConvKind::Auto => Conv::Gemm(GemmConv {
                weight: Param::from_data(
                    TensorData::new(
                        gemm_layout(&weights, c_in, c_out, kernel),
                        [c_out, kernel * kernel * c_in],
                    ),
                    device,
                ),
                kernel,
                stride,
            }),
            ConvKind::Burn => {
                let pad = kernel / 2;
                let mut layer = Conv2dConfig::new([c_in, c_out], [kernel, kernel])
                    .with_stride([stride, stride])
                    .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                    .with_bias(false)
                    .init(device);
                layer.weight = Param::from_data(
                    TensorData::new(weights, [c_out, c_in, kernel, kernel]),
                    device,
                );
                Conv::Burn(layer)
            }
        }
    }

    /// # Shapes
    /// `x: [c_in, h, w, n]` (gemm) or `[n, c_in, h, w]` (burn) → the same layout with `c_out`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Conv::Gemm(conv) => conv.forward(x),
            Conv::Burn(conv) => conv.forward(x),
        }
    }
}

/// The convolution that runs for `kind` on `device`: `auto` is the batch-level GEMM where its
/// CPU kernels run (`kernels`), else burn's `Conv2d`.
pub fn resolve(kind: ConvKind, device: &Device) -> ConvKind {
    match kind {
        ConvKind::Auto if kernels::available(device) => ConvKind::Gemm,
        ConvKind::Auto => ConvKind::Burn,
        kind => kind,
    }
}

/// How the encoder's feature maps are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[c, h, w, n]`, for [`GemmConv`].
    BatchLast,
    /// `[n, c, h, w]`, burn's convention.
    ChannelsFirst,
}

impl Layout {
    /// The layout of a resolved kind ([`resolve`]).
    pub fn of(kind: ConvKind) -> Self {
        match kind {
            ConvKind::Gemm => Layout::BatchLast,
            ConvKind::Burn => Layout::ChannelsFirst,
            ConvKind::Auto => panic!("Layout::of: resolve `auto` for a device first"),
        }
    }

    /// Channels-first input (as batches are made) in this layout.
    pub fn from_channels_first(self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Layout::BatchLast => x.permute([1, 2, 3, 0]),
            Layout::ChannelsFirst => x,
        }
    }

    /// A map in this layout as channels-first.
    pub fn to_channels_first(self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Layout::BatchLast => x.permute([3, 0, 1, 2]),
            Layout::ChannelsFirst => x,
        }
    }

    /// burn's BatchNorm normalises dimension 1: batch-last maps go through it as
    /// `[1, c, h·w·n]`, which is the same per-channel statistics. In training on the CPU they go
    /// through `kernels::norm`'s one-pass operation instead, with burn's running-statistics update.
    pub fn batch_norm(self, bn: &burn::nn::BatchNorm, x: Tensor<4>) -> Tensor<4> {
        self.batch_norm_then(bn, x, false)
    }

    /// [`Layout::batch_norm`] followed by a ReLU, one operation on the CPU in training.
    pub fn batch_norm_relu(self, bn: &burn::nn::BatchNorm, x: Tensor<4>) -> Tensor<4> {
        self.batch_norm_then(bn, x, true)
    }

    fn batch_norm_then(self, bn: &burn::nn::BatchNorm, x: Tensor<4>, relu: bool) -> Tensor<4> {
        let relu_if = |y: Tensor<4>| {
            if relu {
                burn::tensor::activation::relu(y)
            } else {
                y
            }
        };
        match self {
            Layout::BatchLast => {
                let [c, h, w, n] = x.dims();
                let device = x.device();
                if device.is_autodiff() && bn.training.is_enabled() && kernels::available(&device) {
                    let (y, mean, var) = kernels::norm::row_batch_norm(
                        x.reshape([c, h * w * n]),
                        bn.gamma.val(),
                        bn.beta.val(),
                        bn.epsilon,
                        relu,
                    );
                    let m = bn.momentum;
                    let running_mean = bn.running_mean.value_sync().to_device(&device);
                    let running_var = bn.running_var.value_sync().to_device(&device);
                    bn.running_mean
                        .update((running_mean.mul_scalar(1.0 - m) + mean.mul_scalar(m)).detach());
                    bn.running_var
                        .update((running_var.mul_scalar(1.0 - m) + var.mul_scalar(m)).detach());
                    return y.reshape([c, h, w, n]);
                }
                relu_if(
                    bn.forward(x.reshape([1, c, h * w * n]))
                        .reshape([c, h, w, n]),
                )
            }
            Layout::ChannelsFirst => relu_if(bn.forward(x)),
        }
    }

    /// The spatial mean of each channel: `[n, c]`.
    pub fn global_average(self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Layout::BatchLast => {
                let [c, _, _, n] = x.dims();
                x.mean_dim(2).mean_dim(1).reshape([c, n]).transpose() // [n, c]
            }
            Layout::ChannelsFirst => {
                let [n, c, _, _] = x.dims();
                x.mean_dim(3).mean_dim(2).reshape([n, c]) // [n, c]
            }
        }
    }
}
