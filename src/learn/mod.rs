//! Learning: encoders, the contrastive loss family, the training loop with online probes, its
//! checkpoint evaluation and the driver that runs it to the end. Generic over the device (CPU
//! or GPU); the concrete backends are named in `backend`, and in `conv_kernel`, whose CPU kernel
//! is an extension of burn's CPU backend.

pub mod backend;
pub mod config;
pub mod controls;
pub mod conv;
pub mod conv_kernel;
pub mod evaluate;
pub mod loss;
pub mod model;
pub mod norm_kernel;
pub mod run;
pub mod train;
