//! Learning: encoders, the contrastive loss family, the training loop with online probes.
//! Generic over the device (CPU or GPU); the concrete backends are named in `backend` only.

pub mod backend;
pub mod loss;
pub mod model;
pub mod run;
pub mod train;
