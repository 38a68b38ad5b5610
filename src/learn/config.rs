//! The small configs of the model, the head and the loss, each built from the parameter table,
//! so a part can be made (and tested) without a whole [`ExperimentConfig`].

use crate::params::{ConvKind, EncoderKind, ExperimentConfig, LossKind};

pub use crate::params::{representation_dim, scaled};

/// What the encoder is and what it sees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EncoderConfig {
    pub kind: EncoderKind,
    /// How its convolutions run.
    pub conv: ConvKind,
    /// Multiplier on every layer's channel count.
    pub width: f32,
    /// Input channels (image channels plus RandBit's bit planes), height and width.
    pub channels: usize,
    pub height: usize,
    pub image_width: usize,
    /// The seed whose `init/encoder` stream draws the weights.
    pub seed: u64,
}

impl EncoderConfig {
    pub fn new(c: &ExperimentConfig, channels: usize, height: usize, image_width: usize) -> Self {
        Self {
            kind: c.encoder,
            conv: c.conv,
            width: c.width,
            channels,
            height,
            image_width,
            seed: c.seed,
        }
    }

    /// Width of the representation `h` (both encoders end in 128 × width).
    pub fn representation_dim(&self) -> usize {
        representation_dim(self.width)
    }
}

/// The projection head: `depth` Linear layers (0 = identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadConfig {
    pub depth: usize,
    pub hidden: usize,
    pub out_dim: usize,
    /// Width of its input, the representation.
    pub input: usize,
    pub seed: u64,
}

impl HeadConfig {
    pub fn new(c: &ExperimentConfig, input: usize) -> Self {
        Self {
            depth: c.head_depth,
            hidden: c.head_width,
            out_dim: c.out_dim,
            input,
            seed: c.seed,
        }
    }

    /// Width of the head's output, where the loss is applied.
    pub fn output_dim(&self) -> usize {
        if self.depth == 0 {
            self.input
        } else {
            self.out_dim
        }
    }
}

/// Which member of the loss family, and its knobs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossConfig {
    pub kind: LossKind,
    pub tau: f32,
    pub lambda: f32,
    pub uniformity_t: f32,
}

impl From<&ExperimentConfig> for LossConfig {
    fn from(c: &ExperimentConfig) -> Self {
        Self {
            kind: c.loss,
            tau: c.tau,
            lambda: c.lambda,
            uniformity_t: c.uniformity_t,
        }
    }
}

impl LossConfig {
    /// Whether the loss needs a per-step sliced-Wasserstein draw.
    pub fn is_swd(&self) -> bool {
        matches!(
            self.kind,
            LossKind::SwdSphere | LossKind::SwdCube | LossKind::SwdNormal
        )
    }
}
