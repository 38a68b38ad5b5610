//! Learning: encoders, the contrastive loss family, the training loop with online probes, its
//! checkpoint evaluation, the driver that runs it to the end, and the trained model as a file.
//! Generic over the device (CPU or GPU); the concrete backends are named in `backend`, and in
//! `kernels`, whose CPU kernels are extensions of burn's CPU backend.

pub mod backend;
mod batch;
pub mod config;
pub mod control_heads;
pub mod conv;
pub mod evaluate;
mod init;
pub mod kernels;
pub mod loss;
pub mod model;
pub mod model_file;
pub mod run;
pub mod train;
