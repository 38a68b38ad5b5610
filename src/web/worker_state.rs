//! What the training worker keeps between messages (the run, the user's files, the finished
//! run's model, a loaded model, the WebGPU device) and what its handlers share: posting to the
//! page, a query's dataset, and the device to train on.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;

use super::gpu::{adapter_name, navigator_gpu};
use crate::data::loaders::{LoadedSet, load_files};
use crate::data::{Dataset, generate};
#[cfg(feature = "webgpu")]
use crate::learn::backend::wgpu_device_async;
use crate::learn::backend::{BackendKind, cpu_device};
use crate::learn::model_file::ModelFile;
use crate::learn::run::Run;
use crate::params::ExperimentConfig;
use crate::protocol::{FromWorker, RunId};
use crate::url::decode;

#[derive(Default)]
pub(super) struct State {
    /// The current run; a run stops when it is no longer current (Start, Reset).
    pub run: Option<RunId>,
    pub paused: bool,
    /// Let one step through while paused (Step).
    pub step_once: bool,
    /// The user's files as dropped, and their decoding at one image size.
    pub files: Vec<(String, Vec<u8>)>,
    pub decoded: Option<(usize, Arc<LoadedSet>)>,
    /// The WebGPU device, initialised once (a second init fails).
    #[cfg(feature = "webgpu")]
    pub gpu: Option<Result<(burn::prelude::Device, String), String>>,
    /// The last run that finished, with its model, until the next starts (Save model).
    pub finished: Option<(RunId, Run)>,
    /// A model file the page loaded, with its name (Evaluate).
    pub model: Option<(String, ModelFile)>,
}

pub(super) fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

pub(super) fn post(message: &FromWorker) {
    match serde_wasm_bindgen::to_value(message) {
        Ok(value) => {
            let _ = scope().post_message(&value);
        }
        Err(e) => web_sys::console::error_1(&format!("cannot send {e}").into()),
    }
}

/// The config of `query` and its dataset, with the user's files decoded at its image size.
pub(super) fn dataset_for(
    state: &Rc<RefCell<State>>,
    query: &str,
) -> Result<(ExperimentConfig, Dataset), String> {
    let config = decode(query).config;
    let loaded = {
        let mut s = state.borrow_mut();
        match &s.decoded {
            _ if s.files.is_empty() => None,
            Some((size, set)) if *size == config.image_size => Some(Arc::clone(set)),
            _ => {
                let set =
                    Arc::new(load_files(&s.files, config.image_size).map_err(|e| e.to_string())?);
                s.decoded = Some((config.image_size, Arc::clone(&set)));
                Some(set)
            }
        }
    };
    let ds = generate(&config, loaded.as_deref()).map_err(|e| e.to_string())?;
    Ok((config, ds))
}

/// How many threads the CPU trains on, in words.
fn cpu_threads() -> String {
    #[cfg(feature = "threads")]
    return format!("{} threads", rayon::current_num_threads());
    #[cfg(not(feature = "threads"))]
    "one thread".to_string()
}

/// The device to train on, with the badge text: WebGPU if wanted and available, else the CPU.
pub(super) async fn choose_device(
    state: &Rc<RefCell<State>>,
    prefer_gpu: bool,
) -> (BackendKind, burn::prelude::Device, String, String) {
    let cpu = |reason: String| {
        (
            BackendKind::Cpu,
            cpu_device(),
            format!(
                "CPU (burn flex, {}, {})",
                match cfg!(target_feature = "simd128") {
                    true => "wasm SIMD",
                    false => "scalar wasm",
                },
                cpu_threads()
            ),
            reason,
        )
    };
    if !prefer_gpu {
        return cpu("WebGPU turned off".into());
    }
    let Some(gpu) = navigator_gpu() else {
        return cpu("this browser has no WebGPU (navigator.gpu is missing)".into());
    };
    gpu_device(state, &gpu).await.unwrap_or_else(cpu)
}

/// The WebGPU device (initialised once per worker), or why there is none.
#[cfg(feature = "webgpu")]
async fn gpu_device(
    state: &Rc<RefCell<State>>,
    gpu: &JsValue,
) -> Result<(BackendKind, burn::prelude::Device, String, String), String> {
    let cached = state.borrow().gpu.clone();
    let result = match cached {
        Some(r) => r,
        None => {
            let r = match adapter_name(gpu).await {
                Err(e) => Err(e),
                Ok(name) => wgpu_device_async()
                    .await
                    .map(|d| (d, name))
                    .map_err(|e| e.to_string()),
            };
            state.borrow_mut().gpu = Some(r.clone());
            r
        }
    };
    let (device, name) = result.map_err(|e| format!("WebGPU unavailable: {e}"))?;
    Ok((
        BackendKind::Wgpu,
        device,
        name,
        "WebGPU adapter found".into(),
    ))
}

/// The CPU worker has no WebGPU code: the page loads the WebGPU worker when it finds an adapter,
/// so a run that wants WebGPU lands here only when there is none (or before the page looked).
#[cfg(not(feature = "webgpu"))]
async fn gpu_device(
    _state: &Rc<RefCell<State>>,
    gpu: &JsValue,
) -> Result<(BackendKind, burn::prelude::Device, String, String), String> {
    Err(match adapter_name(gpu).await {
        Err(e) => format!("WebGPU unavailable: {e}"),
        Ok(name) => format!("the WebGPU worker for {name} is not loaded yet"),
    })
}
