//! The parameter table: every knob of an experiment, once.
//!
//! One macro invocation lists each knob's field, URL key, control group, type, default, domain,
//! whether it is shown first, when it is used, and its help text. From it come the typed
//! [`ExperimentConfig`], the public [`PARAMS`] table that the URL codec and the page's controls
//! are generated from, and by-key get/set with range checks. Adding a knob is adding one row.

mod kinds;
pub mod query;
mod value;

pub use kinds::ImageSide;
pub use value::{Domain, ParamError, ParamValue};

use serde::{Deserialize, Serialize};
use value::choice_enum;

/// Which panel of controls a knob belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Group {
    General,
    Dataset,
    Augmentation,
    Model,
    Loss,
    Training,
    Evaluation,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::General,
        Group::Dataset,
        Group::Augmentation,
        Group::Model,
        Group::Loss,
        Group::Training,
        Group::Evaluation,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::General => "General",
            Group::Dataset => "Dataset",
            Group::Augmentation => "Augmentation",
            Group::Model => "Model",
            Group::Loss => "Loss",
            Group::Training => "Training",
            Group::Evaluation => "Evaluation",
        }
    }
}

/// One row of the table, as the codec and the controls see it.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub key: &'static str,
    pub group: Group,
    pub label: &'static str,
    pub help: &'static str,
    pub domain: Domain,
    /// Shown first; the rest sit under "Advanced".
    pub common: bool,
    /// Whether the knob changes anything for a config. The page hides the knobs that do not
    /// (never silently ignoring a visible one).
    pub used_when: fn(&ExperimentConfig) -> bool,
}

choice_enum!(
    /// Which competing-feature dataset to generate.
    DataKind {
        Digits = "digits",
        Objects = "objects",
        RandBit = "randbit",
        DigitOnObjects = "digit_on_objects",
        MultiDigits = "multidigits",
        ColourShape = "colour_shape",
        Scenes = "scenes",
    }
);

choice_enum!(
    /// The base images of RandBit (what the bits are appended to) and the backgrounds of
    /// DigitOnObjects.
    BaseKind { Digits = "digits", Objects = "objects", File = "file" }
);

choice_enum!(EncoderKind { ConvNet = "convnet", ResNet = "resnet" });

choice_enum!(
    /// How convolutions are computed (same maths, different speed). `Auto` is `Gemm` on the
    /// CPU, where it has its own kernels, and `Burn` elsewhere.
    ConvKind { Auto = "auto", Gemm = "gemm", Burn = "burn" }
);

choice_enum!(
    /// The generalized contrastive loss instantiation (docs/science.md, "The loss family").
    LossKind {
        NtXent = "ntxent",
        LogSumExp = "logsumexp",
        SwdSphere = "swd_sphere",
        SwdCube = "swd_cube",
        SwdNormal = "swd_normal",
        AlignUniform = "align_uniform",
    }
);

choice_enum!(
    /// How the autoencoder control weighs what it reconstructs.
    ReconWeights { Balanced = "balanced", EveryValue = "every_value" }
);

choice_enum!(OptimizerKind { Adam = "adam", Sgd = "sgd" });

choice_enum!(
    /// How the learning rate moves over the run.
    LrSchedule { Constant = "constant", Linear = "linear", Cosine = "cosine" }
);

choice_enum!(
    /// The colours of procedural objects.
    PaletteKind { Random = "random", Grey = "grey" }
);

choice_enum!(
    /// What tells a scene's objects apart: their colours, or only their textures.
    SceneFill { Colour = "colour", Texture = "texture" }
);

choice_enum!(
    /// What a texture scene's finer grouping is: each object's two shaded halves, or the
    /// stripes' two colours over all objects (the texture's own elements).
    PartKind { Halves = "halves", Stripes = "stripes" }
);

choice_enum!(
    /// How the local-feature K-means measures distance between feature-map positions:
    /// as they are, or after scaling each position's feature vector to unit length.
    KmeansMetric { Euclidean = "euclidean", Cosine = "cosine" }
);

choice_enum!(
    /// The background of procedural objects.
    BackgroundKind { Textured = "textured", Flat = "flat" }
);

choice_enum!(
    /// What trains the encoder: the contrastive loss, or one of the two controls.
    Objective { Contrastive = "contrastive", Supervised = "supervised", Autoencoder = "autoencoder" }
);

/// Each row: `field: type = default, key "key", Group, "Label", domain, common|advanced,` then
/// optionally `used when <fn of the config>,` (without it the knob is always used), then the
/// help text.
macro_rules! param_table {
    (@shown common) => { true };
    (@shown advanced) => { false };
    (@used_when) => { always };
    (@used_when $used:expr) => { $used };
    ($(
        $field:ident : $ty:ty = $default:expr,
        key $key:literal, $group:ident, $label:literal, $domain:expr, $shown:ident,
        $(used when $used:expr,)?
        $help:literal;
    )+) => {
        /// Every setting of an experiment. Built from the URL by [`crate::url::decode`].
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct ExperimentConfig { $(#[doc = $help] pub $field: $ty,)+ }

        impl Default for ExperimentConfig {
            fn default() -> Self {
                Self { $($field: $default,)+ }
            }
        }

        /// The table, in display order.
        pub const PARAMS: &[ParamSpec] = &[$(ParamSpec {
            key: $key,
            group: Group::$group,
            label: $label,
            help: $help,
            domain: $domain,
            common: param_table!(@shown $shown),
            used_when: param_table!(@used_when $($used)?),
        },)+];

        impl ExperimentConfig {
            /// The value of knob `key` as URL text; `None` for an unknown key.
            pub fn get(&self, key: &str) -> Option<String> {
                match key {
                    $($key => Some(self.$field.format_value()),)+
                    _ => None,
                }
            }

            /// Sets knob `key` from URL text. On error (unknown key, unparsable or out of range)
            /// the config is unchanged and the error says which key, what text and why.
            pub fn set(&mut self, key: &str, text: &str) -> Result<(), ParamError> {
                let reason = match key {
                    $($key => match <$ty as ParamValue>::parse_value(text, &spec($key).domain) {
                        Ok(v) => {
                            self.$field = v;
                            return Ok(());
                        }
                        Err(reason) => reason,
                    },)+
                    _ => "unknown parameter".to_string(),
                };
                Err(ParamError {
                    key: key.to_string(),
                    value: text.to_string(),
                    reason,
                })
            }
        }
    };
}

/// The row of `key`. Panics on an unknown key: callers use keys from [`PARAMS`].
pub fn spec(key: &str) -> &'static ParamSpec {
    PARAMS
        .iter()
        .find(|p| p.key == key)
        .unwrap_or_else(|| panic!("no parameter '{key}'"))
}

const fn int(min: u64, max: u64) -> Domain {
    Domain::Int { min, max }
}
const fn float(min: f32, max: f32) -> Domain {
    Domain::Float {
        min,
        max,
        log: false,
    }
}
const fn log_float(min: f32, max: f32) -> Domain {
    Domain::Float {
        min,
        max,
        log: true,
    }
}

/// The "used when" of knobs that matter for every experiment.
fn always(_: &ExperimentConfig) -> bool {
    true
}

/// The "used when" of the knobs only the contrastive objective reads (the head and the loss).
fn contrastive(c: &ExperimentConfig) -> bool {
    c.objective == Objective::Contrastive
}

param_table! {
    seed: u64 = 0,
        key "seed", General, "Seed", int(0, 4_294_967_295), advanced,
        "Every random draw (data, augmentation, initialisation, batches) descends from this seed.";

    data: DataKind = DataKind::RandBit,
        key "data", Dataset, "Dataset", Domain::Choice(DataKind::NAMES), common,
        "Which competing-feature dataset to generate.";
    base: BaseKind = BaseKind::Digits,
        key "base", Dataset, "Base images", Domain::Choice(BaseKind::NAMES), common,
        used when |c| c.data.uses_base(),
        "Base set of RandBit and backgrounds of DigitOnObjects: synthetic digits, procedural objects, or your own file.";
    bits: usize = 5,
        key "bits", Dataset, "Random bits", int(0, 20), common,
        used when |c| c.data == DataKind::RandBit,
        "RandBit: number of random bits appended as constant channels after augmentation.";
    unique_digits: usize = 100,
        key "unique_digits", Dataset, "Unique digits", int(1, 10_000), common,
        used when |c| c.data == DataKind::DigitOnObjects,
        "DigitOnObjects: how many distinct digit images are pasted onto the objects.";
    digit_size: f32 = 0.5,
        key "digit_size", Dataset, "Digit size", float(0.1, 0.75), common,
        used when |c| matches!(c.data, DataKind::MultiDigits | DataKind::DigitOnObjects),
        "MultiDigits: side of the varying digit as a fraction of the canvas. DigitOnObjects: side of each of the nine pasted copies as a fraction of the image.";
    small_digit: f32 = 0.3,
        key "small_digit", Dataset, "Fixed digit size", float(0.1, 0.5), common,
        used when |c| c.data == DataKind::MultiDigits,
        "MultiDigits: side of the fixed-size digit as a fraction of the canvas.";
    jitter: f32 = 0.15,
        key "jitter", Dataset, "Position jitter", float(0.0, 0.5), advanced,
        used when |c| c.data == DataKind::MultiDigits,
        "MultiDigits: how far each digit wanders around its place, as a fraction of the canvas (0 = always the same place).";
    palette: PaletteKind = PaletteKind::Random,
        key "palette", Dataset, "Object colours", Domain::Choice(PaletteKind::NAMES), advanced,
        used when |c| c.data == DataKind::Objects || c.base_images() == Some(BaseKind::Objects),
        "Procedural objects: random colours per image (a colour both views share, a shortcut) or grey only (no colour shortcut).";
    object_contrast: f32 = 1.0,
        key "object_contrast", Dataset, "Object contrast", float(0.05, 1.0), advanced,
        used when |c| c.data == DataKind::Objects || c.base_images() == Some(BaseKind::Objects),
        "Procedural objects: how far the object's colour is from the background's, as a fraction of the drawn difference (1 = as drawn, at least 0.25 in brightness; lower = a fainter object, harder to see than anything pasted on it).";
    background: BackgroundKind = BackgroundKind::Textured,
        key "background", Dataset, "Object background", Domain::Choice(BackgroundKind::NAMES), advanced,
        used when |c| c.data == DataKind::Objects || c.base_images() == Some(BaseKind::Objects),
        "Procedural objects: a two-colour gradient or blob texture with pixel noise, or one flat colour (no texture for the two views to share, so the object and anything pasted on it are the only cues).";
    image_size: usize = 32,
        key "image_size", Dataset, "Image size", int(16, 64), advanced,
        used when |c| c.image_side() == ImageSide::ImageSize,
        "Side in pixels of objects, colour-shape, DigitOnObjects images and decoded image files.";
    canvas: usize = 64,
        key "canvas", Dataset, "Canvas", int(32, 128), advanced,
        used when |c| c.image_side() == ImageSide::Canvas,
        "Side in pixels of MultiDigits and Scenes canvases.";
    fill: SceneFill = SceneFill::Colour,
        key "fill", Dataset, "Scene fill", Domain::Choice(SceneFill::NAMES), advanced,
        used when |c| c.data == DataKind::Scenes,
        "Scenes: colour = shapes and digits in their own colours, each in a light and a dark half; texture = large shapes striped in the same two colours as the background, told apart only by the stripes' direction (colour alone cannot segment them), each half a little lighter or darker.";
    part_shade: f32 = 0.1,
        key "part_shade", Dataset, "Part shade", float(0.0, 0.3), advanced,
        used when |c| c.data == DataKind::Scenes && c.fill == SceneFill::Texture,
        "Texture scenes: how much lighter one half of each object is than its stripes, and the other half darker, per colour channel (the object's mean colour stays the background's).";
    parts: PartKind = PartKind::Halves,
        key "parts", Dataset, "Parts", Domain::Choice(PartKind::NAMES), advanced,
        used when |c| c.data == DataKind::Scenes && c.fill == SceneFill::Texture,
        "Texture scenes: the finer grouping the blocks are scored against besides the objects: halves = each object's lighter and darker half (parts nested in objects); stripes = the texture itself, every object pixel grouped by the stripe colour it lies on, whichever object it is in.";
    colour_bins: usize = 8,
        key "colour_bins", Dataset, "Colour bins", int(2, 16), advanced,
        used when |c| c.data == DataKind::ColourShape,
        "Colour vs shape: number of hue bins the per-image colour is labelled with.";
    train_size: usize = 10_000,
        key "train_size", Dataset, "Train images", int(64, 100_000), advanced,
        "Number of training images generated (or taken from the file).";
    test_size: usize = 2_000,
        key "test_size", Dataset, "Test images", int(32, 20_000), advanced,
        "Number of held-out test images used by the probes.";

    crop_min: f32 = 0.2,
        key "crop_min", Augmentation, "Min crop scale", float(0.05, 1.0), common,
        "Random resized crop: smallest fraction of the image area a view keeps.";
    flip: bool = true,
        key "flip", Augmentation, "Horizontal flip", Domain::Bool, advanced,
        "Flip each view left-right with probability 1/2.";
    colour_jitter: f32 = 0.5,
        key "colour_jitter", Augmentation, "Colour jitter", float(0.0, 1.0), common,
        "SimCLR colour distortion strength (brightness, contrast, saturation, hue), applied with probability 0.8.";
    greyscale: f32 = 0.2,
        key "greyscale", Augmentation, "Greyscale prob.", float(0.0, 1.0), advanced,
        "Probability that a view is turned grey.";

    encoder: EncoderKind = EncoderKind::ConvNet,
        key "encoder", Model, "Encoder", Domain::Choice(EncoderKind::NAMES), common,
        "ConvNet: the paper notebook's 3 strided convs + dense; ResNet: small residual net with exposed blocks.";
    width: f32 = 1.0,
        key "width", Model, "Width", float(0.25, 4.0), common,
        "Multiplier on every layer's channel count.";
    conv: ConvKind = ConvKind::Auto,
        key "conv", Model, "Convolution", Domain::Choice(ConvKind::NAMES), advanced,
        "How convolutions run (same maths, different speed): gemm = one matrix product per layer over the whole batch, with its own CPU kernels for the convolution and BatchNorm + ReLU; burn = burn's Conv2d and BatchNorm; auto = gemm on the CPU, burn on the GPU.";
    head_depth: usize = 2,
        key "head_depth", Model, "Head depth", int(0, 3), common,
        used when contrastive,
        "Projection head layers (0 = identity): the knob of the paper's first finding.";
    head_width: usize = 256,
        key "head_width", Model, "Head width", int(16, 2048), advanced,
        used when |c| contrastive(c) && c.head_depth >= 2,
        "Hidden width of the projection head.";
    out_dim: usize = 64,
        key "out_dim", Model, "Output dim", int(2, 512), advanced,
        used when |c| contrastive(c) && c.head_depth >= 1,
        "Dimension of the projection head's output, where the loss is applied.";

    loss: LossKind = LossKind::NtXent,
        key "loss", Loss, "Loss", Domain::Choice(LossKind::NAMES), common,
        used when contrastive,
        "Generalized contrastive loss: alignment + lambda x distribution term.";
    tau: f32 = 0.2,
        key "tau", Loss, "Temperature", log_float(0.01, 2.0), common,
        used when |c| contrastive(c) && matches!(c.loss, LossKind::NtXent | LossKind::LogSumExp),
        "Softmax temperature of NT-Xent and log-sum-exp (no role in SWD).";
    lambda: f32 = 1.0,
        key "lambda", Loss, "Lambda", log_float(0.01, 100.0), common,
        used when |c| contrastive(c) && c.loss != LossKind::NtXent,
        "Weight of the distribution term. logsumexp: in units of NT-Xent's balance (1 = NT-Xent's split, i.e. tau/d against the per-dimension alignment); SWD and uniformity: as written.";
    uniformity_t: f32 = 2.0,
        key "uniformity_t", Loss, "Uniformity t", float(0.1, 10.0), advanced,
        used when |c| contrastive(c) && c.loss == LossKind::AlignUniform,
        "Wang-Isola uniformity: log E exp(-t |x_i - x_j|^2).";

    batch: usize = 256,
        key "batch", Training, "Batch size", int(2, 4096), common,
        "Images per step; each gives two views.";
    steps: usize = 300,
        key "steps", Training, "Steps", int(1, 1_000_000), common,
        "Training steps.";
    lr: f32 = 0.001,
        key "lr", Training, "Learning rate", log_float(0.00001, 1.0), common,
        "Step size of the encoder's optimizer.";
    weight_decay: f32 = 0.0,
        key "weight_decay", Training, "Weight decay", float(0.0, 0.1), advanced,
        "L2 weight decay of the encoder's optimizer.";
    lr_schedule: LrSchedule = LrSchedule::Constant,
        key "lr_schedule", Training, "LR schedule", Domain::Choice(LrSchedule::NAMES), advanced,
        "Learning rate over the run: constant, linear decay to 0 (the paper's notebook), or cosine decay to 0.";
    objective: Objective = Objective::Contrastive,
        key "objective", Training, "Objective", Domain::Choice(Objective::NAMES), common,
        "What trains the encoder: the contrastive loss; or, as controls, supervised cross-entropy on the first feature's label, or reconstruction of the input (autoencoder).";
    recon: ReconWeights = ReconWeights::Balanced,
        key "recon", Training, "Reconstruction weights", Domain::Choice(ReconWeights::NAMES), advanced,
        used when |c| c.objective == Objective::Autoencoder && c.data == DataKind::RandBit,
        "Autoencoder: balanced = the image and RandBit's bit planes weigh the same in total (half each when there are bits); every_value = every input value alike, so 10 bit planes outweigh one image channel ten to one.";
    optimizer: OptimizerKind = OptimizerKind::Adam,
        key "optimizer", Training, "Optimizer", Domain::Choice(OptimizerKind::NAMES), advanced,
        "Adam, or SGD with momentum.";
    momentum: f32 = 0.9,
        key "momentum", Training, "Momentum", float(0.0, 0.999), advanced,
        used when |c| c.optimizer == OptimizerKind::Sgd,
        "SGD momentum.";

    probe_lr: f32 = 0.001,
        key "probe_lr", Evaluation, "Probe learning rate", log_float(0.00001, 1.0), advanced,
        "Adam step size of the online linear probes on the stop-gradient representation.";
    eval_every: usize = 50,
        key "eval_every", Evaluation, "Eval every", int(1, 100_000), advanced,
        "Steps between metric reads and checkpoint evaluations.";
    checkpoints: usize = 4,
        key "checkpoints", Evaluation, "Checkpoints", int(1, 100), advanced,
        "Full evaluations (offline probe, kNN, local features) during the run, besides the one at step 0.";
    knn_k: usize = 20,
        key "knn_k", Evaluation, "kNN k", int(1, 200), advanced,
        "Neighbours of the kNN classifier on the test split.";
    kmeans_k: usize = 4,
        key "kmeans_k", Evaluation, "K-means K", int(0, 9), advanced,
        used when |c| c.has_masks(),
        "Clusters of the local-feature K-means per image; 0 = as many as the image has groups (objects + background against the objects, parts + background against the parts).";
    kmeans_metric: KmeansMetric = KmeansMetric::Euclidean,
        key "kmeans_metric", Evaluation, "K-means distance", Domain::Choice(KmeansMetric::NAMES), advanced,
        used when |c| c.has_masks(),
        "How the local-feature K-means compares positions of a feature map: euclidean = the features as they are; cosine = each position's feature vector scaled to unit length first (the geometry a contrastive loss compares embeddings in), so a few channels that happen to be large cannot decide the clusters. K-means on the raw pixels always clusters the colours as they are.";
    block: usize = 2,
        key "block", Evaluation, "Feature block", int(1, 3), advanced,
        used when |c| c.has_masks(),
        "Which encoder block's feature map the local-feature view clusters.";
}

/// The keys of the knobs shown first, in table order; the rest sit under "Advanced".
pub const COMMON: &[&str] = &{
    let mut keys = [""; COMMON_COUNT];
    let (mut i, mut n) = (0, 0);
    while i < PARAMS.len() {
        if PARAMS[i].common {
            keys[n] = PARAMS[i].key;
            n += 1;
        }
        i += 1;
    }
    keys
};

const COMMON_COUNT: usize = {
    let (mut i, mut n) = (0, 0);
    while i < PARAMS.len() {
        n += PARAMS[i].common as usize;
        i += 1;
    }
    n
};

impl ExperimentConfig {
    /// Whether knob `key` changes anything for this experiment (its row's "used when").
    /// Panics on an unknown key, like [`spec`].
    pub fn uses(&self, key: &str) -> bool {
        (spec(key).used_when)(self)
    }
}

/// A layer's channel count scaled by the `width` knob (at least 4).
pub fn scaled(base: usize, width: f32) -> usize {
    ((base as f32 * width).round() as usize).max(4)
}

/// Width of the representation for a `width` multiplier (both encoders end in 128 × width).
pub fn representation_dim(width: f32) -> usize {
    scaled(128, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_inside_its_domain() {
        let c = ExperimentConfig::default();
        for p in PARAMS {
            let text = c.get(p.key).unwrap();
            let mut d = ExperimentConfig::default();
            d.set(p.key, &text)
                .unwrap_or_else(|e| panic!("{}={text}: {e}", p.key));
            assert_eq!(d, c);
        }
    }

    #[test]
    fn keys_are_unique_and_url_safe() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert!(
                p.key.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                p.key
            );
            assert!(
                PARAMS[i + 1..].iter().all(|q| q.key != p.key),
                "duplicate {}",
                p.key
            );
            assert!(!p.help.is_empty());
        }
    }

    #[test]
    fn knobs_that_change_nothing_are_not_used() {
        let digits = ExperimentConfig {
            data: DataKind::Digits,
            ..ExperimentConfig::default()
        };
        for key in [
            "bits",
            "unique_digits",
            "canvas",
            "colour_bins",
            "base",
            "palette",
        ] {
            assert!(!digits.uses(key), "data=digits uses {key}");
        }
        assert!(digits.uses("crop_min") && digits.uses("seed"));
        let multi = ExperimentConfig {
            data: DataKind::MultiDigits,
            ..ExperimentConfig::default()
        };
        assert!(multi.uses("canvas") && multi.uses("small_digit") && !multi.uses("image_size"));
        let ntxent = ExperimentConfig::default();
        assert!(ntxent.uses("tau") && !ntxent.uses("lambda") && !ntxent.uses("uniformity_t"));
        let supervised = ExperimentConfig {
            objective: Objective::Supervised,
            ..ExperimentConfig::default()
        };
        assert!(!supervised.uses("tau") && !supervised.uses("head_depth"));
        // Every common key is a real knob.
        assert!(COMMON.iter().all(|k| PARAMS.iter().any(|p| p.key == *k)));
    }
}
