//! The page's panels. Each reads the [`PageState`](super::state::PageState) and the
//! [`WorkerClient`](super::client::WorkerClient) from context.

pub mod dataset;
pub mod embedding;
pub mod explain;
pub mod history;
pub mod local;
pub mod sweep;
pub mod training;
