//! Measurements on frozen representations and feature maps, in plain Rust (no tensors):
//! offline linear probe, kNN, K-means and the adjusted Rand index.

pub mod kmeans;
pub mod pca;
pub mod probes;
