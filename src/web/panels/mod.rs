//! The page's panels. Each takes from context the parts of the page's state it reads (see
//! [`state`](super::state)) and the [`RunController`](super::controller::RunController) where
//! it gives commands.

pub mod dataset;
pub mod embedding;
pub mod explain;
pub mod history;
pub mod local;
pub mod model;
pub mod reference;
pub mod samples;
pub mod shards;
pub mod sweep;
mod sweep_result;
pub mod training;

use crate::data::{Dataset, generate};
use crate::params::{BaseKind, ExperimentConfig};

/// A small copy of `config`'s synthetic dataset (preview grid and the test images the panels
/// show). Sample i does not depend on how many are generated, so these are the run's own first
/// samples. The user's data lives in the worker: `None` then.
fn preview_dataset(config: &ExperimentConfig, test: usize) -> Option<Result<Dataset, String>> {
    if config.base == BaseKind::File && config.uses("base") {
        return None;
    }
    let mut c = config.clone();
    c.train_size = 64;
    c.test_size = test.clamp(32, 20_000);
    Some(generate(&c, None).map_err(|e| e.to_string()))
}
