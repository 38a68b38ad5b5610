//! The training worker: receives [`ToWorker`], trains with the same `Trainer` as the CLI, and
//! answers with [`FromWorker`]. WebGPU when the browser gives an adapter, the CPU otherwise.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::data::loaders::load_files;
use crate::data::{Dataset, generate};
use crate::learn::backend::{BackendKind, cpu_device, wgpu_device_async};
use crate::learn::run::{Control, Outcome, Run, drive};
use crate::protocol::{DataFile, FromWorker, ToWorker};
use crate::url::{decode, encode};

#[derive(Default)]
struct State {
    paused: bool,
    /// Bumped by Start and Reset; a run stops when its generation is no longer current.
    generation: u64,
    /// The WebGPU device, initialised once (a second init fails).
    gpu: Option<Result<(burn::prelude::Device, String), String>>,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &FromWorker) {
    match serde_wasm_bindgen::to_value(message) {
        Ok(value) => {
            let _ = scope().post_message(&value);
        }
        Err(e) => web_sys::console::error_1(&format!("cannot send {e}").into()),
    }
}

/// Waits `ms` milliseconds on the worker's event loop (lets Pause/Reset messages in).
pub(crate) async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

fn now_seconds() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// Starts listening. Called by the worker binary's `main`.
pub fn start() {
    console_error_panic_hook::set_once();
    let state = Rc::new(RefCell::new(State::default()));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let message: ToWorker = match serde_wasm_bindgen::from_value(event.data()) {
            Ok(m) => m,
            Err(e) => {
                return post(&FromWorker::Error(format!(
                    "bad message to the worker: {e}"
                )));
            }
        };
        let state = Rc::clone(&state);
        match message {
            ToWorker::Describe { query, files } => spawn_local(describe(query, files)),
            ToWorker::Start {
                query,
                files,
                prefer_gpu,
            } => {
                let generation = {
                    let mut s = state.borrow_mut();
                    s.generation += 1;
                    s.paused = false;
                    s.generation
                };
                spawn_local(train(state, generation, query, files, prefer_gpu));
            }
            ToWorker::Pause => state.borrow_mut().paused = true,
            ToWorker::Resume => state.borrow_mut().paused = false,
            ToWorker::Reset => {
                let mut s = state.borrow_mut();
                s.generation += 1;
                s.paused = false;
            }
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&FromWorker::Ready);
}

fn dataset_for(
    query: &str,
    files: &[DataFile],
) -> Result<(crate::params::ExperimentConfig, Dataset), String> {
    let config = decode(query).config;
    let loaded = if files.is_empty() {
        None
    } else {
        Some(load_files(&DataFile::as_pairs(files), config.image_size).map_err(|e| e.to_string())?)
    };
    let ds = generate(&config, loaded.as_ref()).map_err(|e| e.to_string())?;
    Ok((config, ds))
}

async fn describe(query: String, files: Vec<DataFile>) {
    let start = js_sys::Date::now();
    match dataset_for(&query, &files) {
        Ok((_, ds)) => post(&FromWorker::Described {
            query,
            fingerprint: ds.fingerprint(),
            summary: {
                // Generation speed in wasm, single-threaded: shown to the user, read by the bench.
                let ms = (js_sys::Date::now() - start).max(1.0);
                let n = ds.train.len() + ds.test.len();
                format!(
                    "{} train + {} test, {}; generated in {ms:.0} ms, {:.0} images/s",
                    ds.train.len(),
                    ds.test.len(),
                    ds.source,
                    n as f64 / ms * 1000.0
                )
            },
        }),
        Err(e) => post(&FromWorker::Error(e)),
    }
}

/// `navigator.gpu` in this worker, if the browser has WebGPU.
fn navigator_gpu() -> Option<JsValue> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).ok()?;
    (!gpu.is_undefined() && !gpu.is_null()).then_some(gpu)
}

/// The adapter's description (vendor, architecture), or why there is none.
async fn adapter_name(gpu: &JsValue) -> Result<String, String> {
    let request: js_sys::Function = Reflect::get(gpu, &"requestAdapter".into())
        .map_err(|_| "no requestAdapter")?
        .unchecked_into();
    let promise: Promise = request
        .call0(gpu)
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("navigator.gpu.requestAdapter() returned no adapter".into());
    }
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |k: &str| {
        Reflect::get(&info, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let fallback = Reflect::get(&info, &"isFallbackAdapter".into())
        .ok()
        .and_then(|v| v.as_bool())
        .or_else(|| {
            Reflect::get(&adapter, &"isFallbackAdapter".into())
                .ok()
                .and_then(|v| v.as_bool())
        })
        .unwrap_or(false);
    let parts: Vec<String> = ["vendor", "architecture", "description"]
        .iter()
        .filter_map(|k| field(k))
        .collect();
    let name = if parts.is_empty() {
        "WebGPU adapter".to_string()
    } else {
        parts.join(" ")
    };
    Ok(if fallback {
        format!("{name} (software fallback)")
    } else {
        name
    })
}

/// The device to train on, with the badge text: WebGPU if wanted and available, else the CPU.
async fn choose_device(
    state: &Rc<RefCell<State>>,
    prefer_gpu: bool,
) -> (BackendKind, burn::prelude::Device, String, String) {
    let cpu = |reason: String| {
        (
            BackendKind::Cpu,
            cpu_device(),
            "CPU (burn flex, single thread)".to_string(),
            reason,
        )
    };
    if !prefer_gpu {
        return cpu("WebGPU turned off".into());
    }
    let Some(gpu) = navigator_gpu() else {
        return cpu("this browser has no WebGPU (navigator.gpu is missing)".into());
    };
    let cached = state.borrow().gpu.clone();
    let result = match cached {
        Some(r) => r,
        None => {
            let r = match adapter_name(&gpu).await {
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
    match result {
        Ok((device, name)) => (
            BackendKind::Wgpu,
            device,
            name,
            "WebGPU adapter found".into(),
        ),
        Err(e) => cpu(format!("WebGPU unavailable: {e}")),
    }
}

async fn train(
    state: Rc<RefCell<State>>,
    generation: u64,
    query: String,
    files: Vec<DataFile>,
    prefer_gpu: bool,
) {
    let (config, ds) = match dataset_for(&query, &files) {
        Ok(x) => x,
        Err(e) => return post(&FromWorker::Error(e)),
    };
    let (kind, device, adapter, reason) = choose_device(&state, prefer_gpu).await;
    post(&FromWorker::Backend {
        kind,
        adapter,
        reason,
    });
    let ds = Arc::new(ds);
    let mut run = match Run::new(&config, Arc::clone(&ds), kind, &device) {
        Ok(r) => r,
        Err(e) => return post(&FromWorker::Error(e.to_string())),
    };
    post(&FromWorker::Started {
        query: encode(&config),
        fingerprint: ds.fingerprint(),
        params: run.trainer().num_params(),
        total_steps: config.steps,
    });
    let outcome = drive(&mut run, now_seconds, |run, events| {
        let step = run.trainer().steps_done();
        let state = Rc::clone(&state);
        async move {
            if !events.is_empty() || step % 5 == 0 {
                post(&FromWorker::Events { step, events });
            }
            // Pause waits here; Start and Reset make this run stale, which stops it.
            let current = || state.borrow().generation == generation;
            let mut announced = false;
            while current() && state.borrow().paused {
                if !announced {
                    post(&FromWorker::Paused { step });
                    announced = true;
                }
                sleep(50).await;
            }
            // Yield so that Pause / Reset / Describe get handled between steps.
            sleep(0).await;
            if current() {
                Control::Continue
            } else {
                Control::Stop
            }
        }
    })
    .await;
    match outcome {
        Ok(Outcome::Finished) => post(&FromWorker::Finished(Box::new(run.into_record()))),
        Ok(Outcome::Stopped) => {}
        Err(e) => post(&FromWorker::Error(e.to_string())),
    }
}
