//! Helpers the integration tests share: a link decoded with no warnings, at a small size.

#![allow(dead_code)] // each test binary uses its own part

use cpg::ExperimentConfig;
use cpg::data::{Dataset, generate};
use cpg::url::decode;

/// The config of a link that must decode without a warning.
pub fn config(query: &str) -> ExperimentConfig {
    let d = decode(query);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    d.config
}

/// The same at 200 training and 50 test images.
pub fn small(query: &str) -> ExperimentConfig {
    let mut c = config(query);
    c.train_size = 200;
    c.test_size = 50;
    c
}

/// The dataset of `small(query)`, which needs no file.
pub fn small_dataset(query: &str) -> Dataset {
    generate(&small(query), None).expect("synthetic data needs no file")
}
