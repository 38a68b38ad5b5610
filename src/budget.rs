//! The memory an experiment needs, estimated from its knobs before anything is generated: the
//! dataset, one training step's activations and gradients, and the evaluation. Knobs are each
//! checked against their range by the table; this checks them together, so a link cannot ask
//! for settings that are each in range but together need gigabytes.

use std::fmt;

use crate::params::{DataKind, ExperimentConfig, representation_dim, scaled};

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

/// The estimate for `c`.
pub fn estimate(c: &ExperimentConfig) -> Budget {
    let (channels, side) = c.image_shape();
    let (channels, side) = (channels as u64, side as u64);
    let plane = side * side;
    let masks = !matches!(c.data, DataKind::Digits | DataKind::RandBit);
    // Bytes per sample: pixels, a mask, labels and the sample's own bookkeeping.
    let sample = channels * plane + if masks { plane } else { 0 } + 128;
    let held_out = if c.data.has_held_out() {
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
    knobs.extend(c.image_side().key());
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
