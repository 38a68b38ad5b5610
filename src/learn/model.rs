//! Encoders and the projection head.
//!
//! Weights are drawn from the project's own seeded streams (not burn's global RNG), so the same
//! link initialises the same network natively and in the browser, on CPU and on GPU.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::prelude::*;

use crate::params::{EncoderKind, ExperimentConfig};
use crate::rng::{SeededRng, stream};

/// Kaiming-uniform weights (`bound = sqrt(6 / fan_in)`) from a seeded stream.
fn kaiming(rng: &mut SeededRng, count: usize, fan_in: usize) -> Vec<f32> {
    let bound = (6.0 / fan_in as f32).sqrt();
    (0..count).map(|_| rng.range(-bound, bound)).collect()
}

fn conv(
    c_in: usize,
    c_out: usize,
    kernel: usize,
    stride: usize,
    rng: &mut SeededRng,
    device: &Device,
) -> Conv2d {
    let pad = kernel / 2;
    let mut layer = Conv2dConfig::new([c_in, c_out], [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .with_bias(false) // BatchNorm follows every conv
        .init(device);
    let w = kaiming(rng, c_out * c_in * kernel * kernel, c_in * kernel * kernel);
    layer.weight = Param::from_data(TensorData::new(w, [c_out, c_in, kernel, kernel]), device);
    layer
}

fn linear(d_in: usize, d_out: usize, rng: &mut SeededRng, device: &Device) -> Linear {
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

/// Conv → BatchNorm → ReLU.
#[derive(Module, Debug)]
pub struct ConvBn {
    conv: Conv2d,
    bn: BatchNorm,
    relu: Relu,
}

impl ConvBn {
    fn new(c_in: usize, c_out: usize, stride: usize, rng: &mut SeededRng, device: &Device) -> Self {
        Self {
            conv: conv(c_in, c_out, 3, stride, rng, device),
            bn: BatchNormConfig::new(c_out).init(device),
            relu: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.relu.forward(self.bn.forward(self.conv.forward(x)))
    }
}

/// A ResNet basic block: two 3×3 convs with a (projected, where shapes change) shortcut.
#[derive(Module, Debug)]
pub struct BasicBlock {
    first: ConvBn,
    conv2: Conv2d,
    bn2: BatchNorm,
    shortcut: Option<Conv2d>,
    shortcut_bn: Option<BatchNorm>,
    relu: Relu,
}

impl BasicBlock {
    fn new(c_in: usize, c_out: usize, stride: usize, rng: &mut SeededRng, device: &Device) -> Self {
        let project = stride != 1 || c_in != c_out;
        Self {
            first: ConvBn::new(c_in, c_out, stride, rng, device),
            conv2: conv(c_out, c_out, 3, 1, rng, device),
            bn2: BatchNormConfig::new(c_out).init(device),
            shortcut: project.then(|| conv(c_in, c_out, 1, stride, rng, device)),
            shortcut_bn: project.then(|| BatchNormConfig::new(c_out).init(device)),
            relu: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let skip = match (&self.shortcut, &self.shortcut_bn) {
            (Some(conv), Some(bn)) => bn.forward(conv.forward(x.clone())),
            _ => x.clone(),
        };
        let y = self.bn2.forward(self.conv2.forward(self.first.forward(x)));
        self.relu.forward(y + skip)
    }
}

/// The paper notebook's ConvNet: 3 × [3×3 conv stride 2 → BN → ReLU] (32, 64, 64 × width),
/// flatten, dense 128 × width → BN → ReLU.
#[derive(Module, Debug)]
pub struct ConvNet {
    blocks: Vec<ConvBn>,
    dense: Linear,
    bn: BatchNorm,
    relu: Relu,
}

/// A small ResNet: stride-2 stem, three basic blocks (strides 1, 2, 2), global average pool.
#[derive(Module, Debug)]
pub struct ResNet {
    stem: ConvBn,
    blocks: Vec<BasicBlock>,
}

/// The two encoders. Both expose three intermediate blocks for the local-feature view.
#[derive(Module, Debug)]
pub enum Encoder {
    ConvNet(ConvNet),
    ResNet(ResNet),
}

/// Channel count scaled by the width multiplier (at least 4).
fn scaled(base: usize, width: f32) -> usize {
    ((base as f32 * width).round() as usize).max(4)
}

impl Encoder {
    /// The encoder for `config` on images of `channels × height × width`.
    pub fn new(
        config: &ExperimentConfig,
        channels: usize,
        height: usize,
        width: usize,
        device: &Device,
    ) -> Self {
        let rng = &mut stream(config.seed, "init/encoder", 0);
        let w = config.width;
        match config.encoder {
            EncoderKind::ConvNet => {
                let chans = [channels, scaled(32, w), scaled(64, w), scaled(64, w)];
                let blocks = (0..3)
                    .map(|i| ConvBn::new(chans[i], chans[i + 1], 2, rng, device))
                    .collect();
                let (h, wd) = (after_strides(height, 3), after_strides(width, 3));
                let rep = scaled(128, w);
                Encoder::ConvNet(ConvNet {
                    blocks,
                    dense: linear(chans[3] * h * wd, rep, rng, device),
                    bn: BatchNormConfig::new(rep).init(device),
                    relu: Relu::new(),
                })
            }
            EncoderKind::ResNet => {
                let chans = [scaled(16, w), scaled(32, w), scaled(64, w), scaled(128, w)];
                Encoder::ResNet(ResNet {
                    stem: ConvBn::new(channels, chans[0], 2, rng, device),
                    blocks: (0..3)
                        .map(|i| BasicBlock::new(chans[i], chans[i + 1], [1, 2, 2][i], rng, device))
                        .collect(),
                })
            }
        }
    }

    /// Width of the representation `h`.
    pub fn representation_dim(config: &ExperimentConfig) -> usize {
        scaled(128, config.width)
    }

    /// The representation.
    ///
    /// # Shapes
    /// `x: [batch, channels, height, width]` → `[batch, representation_dim]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.forward_blocks(x, 0).1
    }

    /// The representation and the feature maps of the first `keep` blocks (1-based block `b`
    /// is `maps[b - 1]`).
    ///
    /// # Shapes
    /// `x: [batch, channels, height, width]` → (`[batch, C_b, H_b, W_b]` per kept block, `[batch, rep]`)
    pub fn forward_blocks(&self, x: Tensor<4>, keep: usize) -> (Vec<Tensor<4>>, Tensor<2>) {
        let mut maps = Vec::with_capacity(keep);
        match self {
            Encoder::ConvNet(ConvNet {
                blocks,
                dense,
                bn,
                relu,
            }) => {
                let mut x = x;
                for block in blocks {
                    x = block.forward(x); // [batch, C, H/2^b, W/2^b]
                    if maps.len() < keep {
                        maps.push(x.clone());
                    }
                }
                let x = x.flatten::<2>(1, 3); // [batch, C * H/8 * W/8]
                (maps, relu.forward(bn.forward(dense.forward(x)))) // [batch, 128 w]
            }
            Encoder::ResNet(ResNet { stem, blocks }) => {
                let mut x = stem.forward(x); // [batch, 16 w, H/2, W/2]
                for block in blocks {
                    x = block.forward(x); // [batch, C_b, H_b, W_b]
                    if maps.len() < keep {
                        maps.push(x.clone());
                    }
                }
                let h = x.mean_dim(3).mean_dim(2); // [batch, 128 w, 1, 1]
                (maps, h.flatten::<2>(1, 3)) // [batch, 128 w]
            }
        }
    }
}

/// Spatial size after `n` stride-2, padding-1, 3×3 convs.
fn after_strides(mut size: usize, n: usize) -> usize {
    for _ in 0..n {
        size = size.div_ceil(2);
    }
    size
}

/// Linear → BatchNorm (→ ReLU, applied by the head).
#[derive(Module, Debug)]
pub struct HiddenLayer {
    linear: Linear,
    bn: BatchNorm,
}

/// The projection head: `depth` layers (0 = identity). Hidden layers are Linear → BN → ReLU;
/// the last is a plain Linear to `out_dim`.
#[derive(Module, Debug)]
pub struct Head {
    hidden: Vec<HiddenLayer>,
    last: Option<Linear>,
    relu: Relu,
}

impl Head {
    pub fn new(config: &ExperimentConfig, input: usize, device: &Device) -> Self {
        let rng = &mut stream(config.seed, "init/head", 0);
        let depth = config.head_depth;
        let mut hidden = Vec::new();
        let mut d = input;
        for _ in 1..depth {
            hidden.push(HiddenLayer {
                linear: linear(d, config.head_width, rng, device),
                bn: BatchNormConfig::new(config.head_width).init(device),
            });
            d = config.head_width;
        }
        let last = (depth > 0).then(|| linear(d, config.out_dim, rng, device));
        Self {
            hidden,
            last,
            relu: Relu::new(),
        }
    }

    /// Output width for an input of width `input`.
    pub fn output_dim(config: &ExperimentConfig, input: usize) -> usize {
        if config.head_depth == 0 {
            input
        } else {
            config.out_dim
        }
    }

    /// Number of Linear layers (the knob's meaning, checked by the tests).
    pub fn depth(&self) -> usize {
        self.hidden.len() + usize::from(self.last.is_some())
    }

    /// # Shapes
    /// `h: [batch, input]` → `[batch, output_dim]`
    pub fn forward(&self, h: Tensor<2>) -> Tensor<2> {
        let mut x = h;
        for layer in &self.hidden {
            x = self.relu.forward(layer.bn.forward(layer.linear.forward(x))); // [batch, head_width]
        }
        match &self.last {
            Some(layer) => layer.forward(x), // [batch, out_dim]
            None => x,
        }
    }
}

/// Encoder plus head: what the contrastive loss trains.
#[derive(Module, Debug)]
pub struct Model {
    pub encoder: Encoder,
    pub head: Head,
}

impl Model {
    pub fn new(
        config: &ExperimentConfig,
        channels: usize,
        height: usize,
        width: usize,
        device: &Device,
    ) -> Self {
        let encoder = Encoder::new(config, channels, height, width, device);
        let head = Head::new(config, Encoder::representation_dim(config), device);
        Self { encoder, head }
    }
}

/// One linear classifier per competing feature, on the stop-gradient representation.
#[derive(Module, Debug)]
pub struct Probes {
    pub heads: Vec<Linear>,
}

impl Probes {
    pub fn new(seed: u64, input: usize, classes: &[usize], device: &Device) -> Self {
        let rng = &mut stream(seed, "init/probes", 0);
        Self {
            heads: classes
                .iter()
                .map(|&c| linear(input, c, rng, device))
                .collect(),
        }
    }
}
