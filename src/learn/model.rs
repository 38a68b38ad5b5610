//! Encoders and the projection head, initialised layer by layer from the seeded streams of
//! `init`.

use burn::nn::{BatchNorm, BatchNormConfig, Linear, Relu};
use burn::prelude::*;

use super::config::{EncoderConfig, HeadConfig, scaled};
use super::control_heads::ControlHead;
use super::conv::{Conv, Layout, resolve};
use super::init::{conv, linear};
use super::kernels::linear::{
    forward as dense_forward, forward_columns as dense_columns, on_kernels as dense_on_kernels,
};
use crate::params::{ConvKind, EncoderKind, ExperimentConfig};
use crate::rng::{SeededRng, stream};

/// Conv → BatchNorm → ReLU.
#[derive(Module, Debug)]
pub struct ConvBn {
    conv: Conv,
    bn: BatchNorm,
}

impl ConvBn {
    fn new(
        kind: ConvKind,
        channels: [usize; 2],
        stride: usize,
        rng: &mut SeededRng,
        device: &Device,
    ) -> Self {
        Self {
            conv: conv(kind, channels, 3, stride, rng, device),
            bn: BatchNormConfig::new(channels[1]).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>, layout: Layout) -> Tensor<4> {
        layout.batch_norm_relu(&self.bn, self.conv.forward(x))
    }
}

/// A ResNet basic block: two 3×3 convs with a (projected, where shapes change) shortcut.
#[derive(Module, Debug)]
pub struct BasicBlock {
    first: ConvBn,
    conv2: Conv,
    bn2: BatchNorm,
    shortcut: Option<Conv>,
    shortcut_bn: Option<BatchNorm>,
    relu: Relu,
}

impl BasicBlock {
    fn new(
        kind: ConvKind,
        [c_in, c_out]: [usize; 2],
        stride: usize,
        rng: &mut SeededRng,
        device: &Device,
    ) -> Self {
        let project = stride != 1 || c_in != c_out;
        Self {
            first: ConvBn::new(kind, [c_in, c_out], stride, rng, device),
            conv2: conv(kind, [c_out, c_out], 3, 1, rng, device),
            bn2: BatchNormConfig::new(c_out).init(device),
            shortcut: project.then(|| conv(kind, [c_in, c_out], 1, stride, rng, device)),
            shortcut_bn: project.then(|| BatchNormConfig::new(c_out).init(device)),
            relu: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<4>, layout: Layout) -> Tensor<4> {
        let skip = match (&self.shortcut, &self.shortcut_bn) {
            (Some(conv), Some(bn)) => layout.batch_norm(bn, conv.forward(x.clone())),
            _ => x.clone(),
        };
        let y = self.conv2.forward(self.first.forward(x, layout));
        self.relu.forward(layout.batch_norm(&self.bn2, y) + skip)
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
    #[module(skip)]
    layout: Layout,
}

/// A small ResNet: stride-2 stem, three basic blocks (strides 1, 2, 2), global average pool.
#[derive(Module, Debug)]
pub struct ResNet {
    stem: ConvBn,
    blocks: Vec<BasicBlock>,
    #[module(skip)]
    layout: Layout,
}

/// The two encoders. Both expose three intermediate blocks for the local-feature view.
#[derive(Module, Debug)]
pub enum Encoder {
    ConvNet(ConvNet),
    ResNet(ResNet),
}

impl Encoder {
    /// The encoder `config` describes.
    pub fn new(config: &EncoderConfig, device: &Device) -> Self {
        let rng = &mut stream(config.seed, "init/encoder", 0);
        let (w, channels) = (config.width, config.channels);
        let (height, width) = (config.height, config.image_width);
        let kind = resolve(config.conv, device);
        let layout = Layout::of(kind);
        match config.kind {
            EncoderKind::ConvNet => {
                let chans = [channels, scaled(32, w), scaled(64, w), scaled(64, w)];
                let blocks = (0..3)
                    .map(|i| ConvBn::new(kind, [chans[i], chans[i + 1]], 2, rng, device))
                    .collect();
                let (h, wd) = (after_strides(height, 3), after_strides(width, 3));
                let rep = config.representation_dim();
                Encoder::ConvNet(ConvNet {
                    blocks,
                    dense: linear(chans[3] * h * wd, rep, rng, device),
                    bn: BatchNormConfig::new(rep).init(device),
                    relu: Relu::new(),
                    layout,
                })
            }
            EncoderKind::ResNet => {
                let chans = [scaled(16, w), scaled(32, w), scaled(64, w), scaled(128, w)];
                let block = |i: usize, rng: &mut SeededRng| {
                    BasicBlock::new(kind, [chans[i], chans[i + 1]], [1, 2, 2][i], rng, device)
                };
                Encoder::ResNet(ResNet {
                    stem: ConvBn::new(kind, [channels, chans[0]], 2, rng, device),
                    blocks: (0..3).map(|i| block(i, rng)).collect(),
                    layout,
                })
            }
        }
    }

    /// The representation.
    ///
    /// # Shapes
    /// `x: [batch, channels, height, width]` → `[batch, representation_dim]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.forward_blocks(x, 0).1
    }

    /// The layout the encoder runs its maps in.
    pub fn layout(&self) -> Layout {
        match self {
            Encoder::ConvNet(net) => net.layout,
            Encoder::ResNet(net) => net.layout,
        }
    }

    /// [`Encoder::forward`] of an input already in [`Encoder::layout`].
    pub fn forward_in_layout(&self, x: Tensor<4>) -> Tensor<2> {
        self.forward_blocks(self.layout().to_channels_first(x), 0).1
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
                layout,
            }) => {
                let mut x = layout.from_channels_first(x);
                for block in blocks {
                    x = block.forward(x, *layout); // [batch, C, H/2^b, W/2^b] in the layout
                    if maps.len() < keep {
                        maps.push(layout.to_channels_first(x.clone()));
                    }
                }
                // Flattened channels-first, so both layouts meet the same dense weights.
                let y = match (layout, x.dims()) {
                    // Batch-last maps are that flattening's transpose as they lie.
                    (Layout::BatchLast, [c, h, w, n])
                        if dense_on_kernels(dense, n, &x.device()) =>
                    {
                        dense_columns(dense, x.reshape([c * h * w, n])) // [batch, 128 w]
                    }
                    _ => {
                        let x = layout.to_channels_first(x).flatten::<2>(1, 3); // [batch, C * H/8 * W/8]
                        dense_forward(dense, x) // [batch, 128 w]
                    }
                };
                (maps, relu.forward(bn.forward(y))) // [batch, 128 w]
            }
            Encoder::ResNet(ResNet {
                stem,
                blocks,
                layout,
            }) => {
                let mut x = stem.forward(layout.from_channels_first(x), *layout); // [batch, 16 w, H/2, W/2]
                for block in blocks {
                    x = block.forward(x, *layout); // [batch, C_b, H_b, W_b] in the layout
                    if maps.len() < keep {
                        maps.push(layout.to_channels_first(x.clone()));
                    }
                }
                (maps, layout.global_average(x)) // [batch, 128 w]
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
    pub fn new(config: &HeadConfig, device: &Device) -> Self {
        let rng = &mut stream(config.seed, "init/head", 0);
        let mut hidden = Vec::new();
        let mut d = config.input;
        for _ in 1..config.depth {
            hidden.push(HiddenLayer {
                linear: linear(d, config.hidden, rng, device),
                bn: BatchNormConfig::new(config.hidden).init(device),
            });
            d = config.hidden;
        }
        let last = (config.depth > 0).then(|| linear(d, config.out_dim, rng, device));
        Self {
            hidden,
            last,
            relu: Relu::new(),
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
            x = self
                .relu
                .forward(layer.bn.forward(dense_forward(&layer.linear, x))); // [batch, head_width]
        }
        match &self.last {
            Some(layer) => dense_forward(layer, x), // [batch, out_dim]
            None => x,
        }
    }
}

/// Encoder plus head: what the contrastive loss trains.
#[derive(Module, Debug)]
pub struct Model {
    pub encoder: Encoder,
    pub head: Head,
    /// What a control objective trains instead of the head (supervised, autoencoder).
    pub control: Option<ControlHead>,
}

impl Model {
    /// Encoder and head of `config` for inputs of `channels × height × width`.
    pub fn new(
        config: &ExperimentConfig,
        channels: usize,
        height: usize,
        width: usize,
        device: &Device,
    ) -> Self {
        let encoder = EncoderConfig::new(config, channels, height, width);
        let head = HeadConfig::new(config, encoder.representation_dim());
        Self::from_configs(&encoder, &head, device)
    }

    /// Encoder and head from their configs, without a control head.
    pub fn from_configs(encoder: &EncoderConfig, head: &HeadConfig, device: &Device) -> Self {
        Self {
            encoder: Encoder::new(encoder, device),
            head: Head::new(head, device),
            control: None,
        }
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
