//! The browser side (wasm32 only): the Leptos page and the training worker.

pub mod app;
mod charts;
mod controller;
mod controls;
mod dom;
mod gpu;
mod panels;
mod run_history;
mod state;
pub mod worker;
mod worker_link;
