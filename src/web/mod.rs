//! The browser side (wasm32 only): the Leptos page and the training worker.

pub mod app;
mod charts;
mod client;
mod controls;
mod dom;
mod gpu;
mod panels;
mod state;
pub mod worker;
