//! The browser side (wasm32 only): the Leptos page and the training worker.

pub mod app;
mod charts;
mod controls;
mod dom;
mod sweep;
pub mod worker;
