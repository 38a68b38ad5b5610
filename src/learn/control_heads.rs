//! The control objectives' heads: a linear classifier for supervised training, and a decoder
//! that reconstructs the input for the autoencoder. Both sit on the representation, where the
//! contrastive objective puts its projection head.

use burn::nn::{BatchNorm, BatchNormConfig, Linear, Relu};
use burn::prelude::*;

use super::config::EncoderConfig;
use super::init::linear;
use super::kernels::linear::forward as dense_forward;
use crate::params::Objective;
use crate::rng::stream;

/// The autoencoder's decoder: a two-layer MLP from the representation to every input value
/// (image channels and bit planes). Small on purpose: the question is what the representation
/// keeps, not how sharp the reconstruction is.
#[derive(Module, Debug)]
pub struct Decoder {
    hidden: Linear,
    bn: BatchNorm,
    relu: Relu,
    out: Linear,
    /// The input's `[channels, height, width]`.
    #[module(skip)]
    input: [usize; 3],
}

/// Hidden width of the decoder.
const DECODER_HIDDEN: usize = 512;

impl Decoder {
    pub fn new(config: &EncoderConfig, device: &Device) -> Self {
        let rng = &mut stream(config.seed, "init/decoder", 0);
        let input = [config.channels, config.height, config.image_width];
        Self {
            hidden: linear(config.representation_dim(), DECODER_HIDDEN, rng, device),
            bn: BatchNormConfig::new(DECODER_HIDDEN).init(device),
            relu: Relu::new(),
            out: linear(DECODER_HIDDEN, input.iter().product(), rng, device),
            input,
        }
    }

    /// The reconstruction of the input, channels-first.
    ///
    /// # Shapes
    /// `h: [batch, rep]` → `[batch, channels, height, width]`
    pub fn forward(&self, h: Tensor<2>) -> Tensor<4> {
        let [n, _] = h.dims();
        let [c, height, width] = self.input;
        let x = self
            .relu
            .forward(self.bn.forward(dense_forward(&self.hidden, h))); // [batch, 512]
        dense_forward(&self.out, x).reshape([n, c, height, width])
    }
}

/// The head a control objective trains on the representation.
// One per model, so the variants' sizes do not matter; burn's modules cannot be boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum ControlHead {
    /// Supervised: a linear classifier of the first feature.
    Classifier(Linear),
    /// Autoencoder: reconstructs the input.
    Decoder(Decoder),
}

impl ControlHead {
    /// The head `objective` trains, if it is a control objective. `classes` is the number of
    /// classes of the first feature, which the supervised classifier predicts.
    pub fn for_objective(
        objective: Objective,
        config: &EncoderConfig,
        classes: usize,
        device: &Device,
    ) -> Option<Self> {
        match objective {
            Objective::Contrastive => None,
            Objective::Supervised => Some(ControlHead::classifier(config, classes, device)),
            Objective::Autoencoder => Some(ControlHead::Decoder(Decoder::new(config, device))),
        }
    }

    pub fn classifier(config: &EncoderConfig, classes: usize, device: &Device) -> Self {
        let rng = &mut stream(config.seed, "init/classifier", 0);
        ControlHead::Classifier(linear(config.representation_dim(), classes, rng, device))
    }
}
