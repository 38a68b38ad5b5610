//! The memory an experiment needs, estimated from its knobs before anything is generated: the
//! dataset, one training step's activations and gradients, and the evaluation. Knobs are each
//! checked against their range by the table; this checks them together, so a link cannot ask
//! for settings that are each in range but together need gigabytes.

use std::fmt;

use crate::params::{BaseKind, DataKind, ExperimentConfig, representation_dim, scaled};

/// What one experiment may use: 2 GB natively; 1 GB in the browser, where the page and its
/// worker share a 32-bit address space with everything else.
pub const LIMIT_BYTES: u64 = if cfg!(target_family = "wasm") {
    1 << 30
} else {
    2 << 30
};

/// The program itself, its threads and allocator, before any data.
const RUNTIME_BYTES: u64 = 100 << 20;

/// Estimated bytes, by where they go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    /// Every generated image (and mask) of every split.
    pub dataset: u64,
    /// One training step: the batch, activations, gradients and optimizer state.
    pub training: u64,
    /// A checkpoint evaluation: representations and chunks of images.
    pub evaluation: u64,
}

impl Budget {
    pub fn total(&self) -> u64 {
        self.dataset + self.training + self.evaluation
    }
}

/// A config over the budget: the estimate and the knobs that would bring it down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverBudget {
    pub estimate: Budget,
    pub limit: u64,
    pub knobs: Vec<&'static str>,
}

fn gb(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

impl fmt::Display for OverBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.estimate;
        write!(
            f,
            "this experiment needs about {} (dataset {}, training {}, evaluation {}), over the {} \
             memory budget; lower {}",
            gb(e.total()),
            gb(e.dataset),
            gb(e.training),
            gb(e.evaluation),
            gb(self.limit),
            self.knobs.join(", ")
        )
    }
}

impl std::error::Error for OverBudget {}

/// (channels, side) of the images `c` generates; a user's files are taken at `image_size` in
/// colour, the larger of what pictures and IDX/CIFAR files give at our sizes.
fn image_shape(c: &ExperimentConfig) -> (u64, u64) {
    let digits = (1, 28);
    let sized = (3, c.image_size as u64);
    match c.data {
        DataKind::Digits => digits,
        DataKind::Objects | DataKind::ColourShape | DataKind::DigitOnObjects => sized,
        DataKind::RandBit => match c.base {
            BaseKind::Digits => digits,
            BaseKind::Objects => sized,
            BaseKind::File => (3, (c.image_size as u64).max(32)),
        },
        DataKind::MultiDigits => (1, c.canvas as u64),
        DataKind::Scenes => (3, c.canvas as u64),
    }
}

/// The estimate for `c`.
pub fn estimate(c: &ExperimentConfig) -> Budget {
    let (channels, side) = image_shape(c);
    let plane = side * side;
    let masks = !matches!(c.data, DataKind::Digits | DataKind::RandBit);
    // Bytes per sample: pixels, a mask, labels and the sample's own bookkeeping.
    let sample = channels * plane + if masks { plane } else { 0 } + 128;
    let held_out = if c.data == DataKind::DigitOnObjects {
        (c.train_size as u64).min(2000) + c.test_size as u64
    } else {
        0
    };
    let images = c.train_size as u64 + c.test_size as u64 + held_out;
    let dataset = images * sample;
    // Per view: the input (with bit planes) and each block's maps, in f32; forward, backward,
    // BatchNorm and the convolution's patches keep several copies of each (calibrated against
    // measured peaks: 1.28-1.49x above them on objects, digits and scenes at 64 and 128 px).
    let input = (channels + c.bits as u64) * plane;
    let w = c.width;
    let maps: u64 = [(32, 2), (64, 4), (64, 8)]
        .iter()
        .map(|&(ch, stride)| scaled(ch, w) as u64 * (side / stride).max(1).pow(2))
        .sum();
    let views = 2 * c.batch as u64;
    let training = views * (input * 4 + maps * 5) * 4 + RUNTIME_BYTES;
    // Representations of up to 2000 training and every test image, and one chunk of 250.
    let reps = (c.test_size as u64 + 2000) * representation_dim(w) as u64 * 4;
    let evaluation = reps * 3 + 250 * (input * 2 + maps * 2) * 4;
    Budget {
        dataset,
        training,
        evaluation,
    }
}

/// `Ok` with the estimate, or what is over and which knobs to lower.
pub fn check(c: &ExperimentConfig) -> Result<Budget, OverBudget> {
    let e = estimate(c);
    if e.total() <= LIMIT_BYTES {
        return Ok(e);
    }
    let mut knobs = Vec::new();
    if e.dataset * 3 >= e.total() {
        knobs.extend(["train_size", "test_size"]);
    }
    if e.training * 3 >= e.total() {
        knobs.extend(["batch", "width"]);
    }
    if e.evaluation * 3 >= e.total() {
        knobs.push("test_size");
    }
    let side = match c.data {
        DataKind::MultiDigits | DataKind::Scenes => Some("canvas"),
        DataKind::Digits => None,
        DataKind::RandBit if c.base == BaseKind::Digits => None,
        _ => Some("image_size"),
    };
    knobs.extend(side);
    if c.bits > 0 && e.training * 3 >= e.total() {
        knobs.push("bits");
    }
    knobs.dedup();
    let mut seen = Vec::new();
    knobs.retain(|k| {
        let new = !seen.contains(k);
        seen.push(*k);
        new
    });
    Err(OverBudget {
        estimate: e,
        limit: LIMIT_BYTES,
        knobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::{decode, decode_unchecked};

    #[test]
    fn the_defaults_and_every_preset_fit() {
        assert!(check(&ExperimentConfig::default()).is_ok());
        for p in crate::presets::PRESETS {
            assert!(check(&p.small_experiment()).is_ok(), "{}", p.name);
            assert!(check(&p.experiment()).is_ok(), "{} at full scale", p.name);
        }
    }

    #[test]
    fn knobs_each_in_range_can_be_over_together_and_the_message_names_them() {
        let unchecked = |q: &str| decode_unchecked(ExperimentConfig::default(), q).config;
        let c = unchecked("data=scenes&canvas=128&train_size=100000");
        let over = check(&c).unwrap_err();
        assert!(over.estimate.total() > 4_000_000_000, "{over}");
        let text = over.to_string();
        for knob in ["train_size", "canvas"] {
            assert!(text.contains(knob), "{text}");
        }
        let c = unchecked("batch=4096&width=4&data=objects&image_size=64");
        let over = check(&c).unwrap_err();
        assert!(over.knobs.contains(&"batch"), "{over}");
    }

    #[test]
    fn the_estimate_grows_with_what_is_generated_and_trained() {
        let small = estimate(&decode("data=scenes&canvas=32&train_size=1000").config);
        let more = estimate(&decode("data=scenes&canvas=32&train_size=2000").config);
        let bigger = estimate(&decode("data=scenes&canvas=64&train_size=1000").config);
        assert!(more.dataset > small.dataset && bigger.dataset > 3 * small.dataset);
        let batch = estimate(&decode("data=scenes&canvas=32&train_size=1000&batch=512").config);
        assert!(batch.training > small.training);
    }
}
