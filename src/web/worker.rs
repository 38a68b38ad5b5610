//! The training worker: receives [`ToWorker`], trains with the same driver as the CLI, and
//! answers with [`FromWorker`], every run-scoped message tagged with its run id. WebGPU when the
//! browser gives an adapter, the CPU otherwise; a lost GPU device is reported so the page can
//! replace this worker and continue on the CPU. The user's files arrive once and are decoded
//! here, off the page's thread.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::data::augment::Augment;
use crate::data::loaders::{LoadedSet, load_files};
use crate::data::{Dataset, generate};
#[cfg(feature = "webgpu")]
use crate::learn::backend::wgpu_device_async;
use crate::learn::backend::{BackendKind, cpu_device};
use crate::learn::model_file::ModelFile;
use crate::learn::run::{Control, Ending, Run, drive};
use crate::learn::train::TrainError;
use crate::params::{BaseKind, ExperimentConfig};
use crate::protocol::{DataFile, FromWorker, RunId, ToWorker};
use crate::render::sample_grid;

use super::gpu::{adapter_name, navigator_gpu};
use super::worker_model;
use crate::url::{decode, encode};

#[derive(Default)]
pub(super) struct State {
    /// The current run; a run stops when it is no longer current (Start, Reset).
    run: Option<RunId>,
    paused: bool,
    /// Let one step through while paused (Step).
    step_once: bool,
    /// The user's files as dropped, and their decoding at one image size.
    files: Vec<(String, Vec<u8>)>,
    decoded: Option<(usize, Arc<LoadedSet>)>,
    /// The WebGPU device, initialised once (a second init fails).
    #[cfg(feature = "webgpu")]
    gpu: Option<Result<(burn::prelude::Device, String), String>>,
    /// The last run that finished, with its model, until the next starts (Save model).
    pub(super) finished: Option<(RunId, Run)>,
    /// A model file the page loaded, with its name (Evaluate).
    pub(super) model: Option<(String, ModelFile)>,
}

fn scope() -> DedicatedWorkerGlobalScope {
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

/// Waits `ms` milliseconds on the worker's event loop (lets Pause/Reset messages in).
pub(crate) async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Lets the worker's queued messages (Pause, Reset, Describe) run, then resumes at once. A
/// message to itself on a fresh channel: a nested `setTimeout(0)` is clamped to 4 ms by the
/// browser, which at the CPU's 30–40 ms per step would cost a tenth of the throughput.
async fn yield_to_messages() {
    let promise = Promise::new(&mut |resolve, _| {
        let posted = web_sys::MessageChannel::new().and_then(|channel| {
            channel.port1().set_onmessage(Some(resolve.unchecked_ref()));
            channel.port2().post_message(&JsValue::UNDEFINED)
        });
        if posted.is_err() {
            // No channel (never seen in a browser with workers): a timer does the same, slower.
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}

pub(super) fn now_seconds() -> f64 {
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
                let text = format!("ignored a message the worker cannot read: {e}");
                web_sys::console::error_1(&text.into());
                return;
            }
        };
        let state = Rc::clone(&state);
        match message {
            ToWorker::SetFiles { files } => set_files(&state, files),
            ToWorker::Describe { run, query } => spawn_local(describe(state, run, query)),
            ToWorker::Start {
                run,
                query,
                prefer_gpu,
                paused,
            } => {
                {
                    let mut s = state.borrow_mut();
                    // A run started paused takes its first step, then waits.
                    (s.run, s.paused, s.step_once) = (Some(run), paused, false);
                    s.finished = None;
                }
                spawn_local(train(state, run, query, prefer_gpu));
            }
            ToWorker::Pause { run } | ToWorker::Resume { run } | ToWorker::Step { run }
                if state.borrow().run != Some(run) => {}
            ToWorker::Pause { .. } => state.borrow_mut().paused = true,
            ToWorker::Resume { .. } => state.borrow_mut().paused = false,
            ToWorker::Step { .. } => state.borrow_mut().step_once = true,
            ToWorker::Reset => {
                let mut s = state.borrow_mut();
                s.run = None;
                s.paused = false;
            }
            ToWorker::SaveModel { run, link } => {
                spawn_local(worker_model::save(state, run, link));
            }
            ToWorker::LoadModel { file } => worker_model::load(&state, file),
            ToWorker::Evaluate {
                run,
                query,
                prefer_gpu,
            } => spawn_local(worker_model::evaluate(state, run, query, prefer_gpu)),
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&FromWorker::Ready {
        gpu: navigator_gpu().is_some(),
    });
}

/// Keeps the dropped files and reports what they hold (decoded at the default image size).
fn set_files(state: &Rc<RefCell<State>>, files: Vec<DataFile>) {
    let pairs = DataFile::as_pairs(files);
    let size = ExperimentConfig::default().image_size;
    let summary = match load_files(&pairs, size) {
        Ok(set) => {
            let text = format!("{} — {} classes", set.source, set.classes());
            let mut s = state.borrow_mut();
            s.decoded = Some((size, Arc::new(set)));
            s.files = pairs;
            Ok(text)
        }
        Err(e) => Err(e.to_string()),
    };
    post(&FromWorker::FilesSet { summary });
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

async fn describe(state: Rc<RefCell<State>>, run: RunId, query: String) {
    let start = js_sys::Date::now();
    match dataset_for(&state, &query) {
        Ok((config, ds)) => post(&FromWorker::Described {
            run,
            query,
            fingerprint: ds.fingerprint(),
            preview: (config.base == BaseKind::File)
                .then(|| sample_grid(&ds, &Augment::from_config(&config), config.seed, 12, 4)),
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
        Err(message) => post(&FromWorker::Error {
            run,
            message,
            device_lost: false,
        }),
    }
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
                "CPU (burn flex, {}, one thread)",
                match cfg!(target_feature = "simd128") {
                    true => "wasm SIMD",
                    false => "scalar wasm",
                }
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

/// Pause waits here after `step` (Step lets one step through); Start and Reset make the run
/// stale, which ends the wait (and then the run).
async fn wait_while_paused(state: &Rc<RefCell<State>>, run: RunId, step: usize) {
    let mut announced = false;
    loop {
        let (current, paused, step_once) = {
            let s = state.borrow();
            (s.run == Some(run), s.paused, s.step_once)
        };
        if !current || !paused {
            break;
        }
        if step_once {
            state.borrow_mut().step_once = false;
            break;
        }
        if !announced {
            post(&FromWorker::Paused { run, step });
            announced = true;
        }
        sleep(50).await;
    }
}

async fn train(state: Rc<RefCell<State>>, run: RunId, query: String, prefer_gpu: bool) {
    let error = |message: String, device_lost: bool| {
        post(&FromWorker::Error {
            run,
            message,
            device_lost,
        })
    };
    let (config, ds) = match dataset_for(&state, &query) {
        Ok(x) => x,
        Err(e) => return error(e, false),
    };
    let (kind, device, adapter, reason) = choose_device(&state, prefer_gpu).await;
    post(&FromWorker::Backend {
        run,
        kind,
        adapter,
        reason,
    });
    let ds = Arc::new(ds);
    let mut training = match Run::new(&config, Arc::clone(&ds), kind, &device) {
        Ok(r) => r,
        Err(e) => return error(e.to_string(), false),
    };
    post(&FromWorker::Started {
        run,
        query: encode(&config),
        fingerprint: ds.fingerprint(),
        params: training.trainer().num_params(),
        total_steps: config.steps,
    });
    let outcome = drive(&mut training, now_seconds, |training, events| {
        let step = training.trainer().steps_done();
        let state = Rc::clone(&state);
        async move {
            if !events.is_empty() || step % 5 == 0 {
                post(&FromWorker::Events { run, step, events });
            }
            wait_while_paused(&state, run, step).await;
            // Yield so that Pause / Reset / Describe get handled between steps.
            yield_to_messages().await;
            if state.borrow().run == Some(run) {
                Control::Continue
            } else {
                Control::Stop
            }
        }
    })
    .await;
    match outcome {
        Ok(Ending::Finished) => {
            post(&FromWorker::Finished {
                run,
                record: Box::new(training.record().clone()),
            });
            state.borrow_mut().finished = Some((run, training));
        }
        Ok(Ending::Stopped) => {}
        Err(e) => {
            // A device error on WebGPU (lost device, out of memory): forget the device; the page
            // replaces this worker and continues on the CPU.
            let lost = kind == BackendKind::Wgpu && matches!(e, TrainError::Device(_));
            error(e.to_string(), lost)
        }
    }
}
