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
use web_sys::MessageEvent;

use super::gpu::navigator_gpu;
use super::worker_model;
use super::worker_state::{State, choose_device, dataset_for, post, scope};
use crate::data::augment::Augment;
use crate::data::loaders::load_files;
use crate::learn::backend::BackendKind;
use crate::learn::run::{Control, Ending, Run, drive};
use crate::learn::train::TrainError;
use crate::params::{BaseKind, ExperimentConfig};
use crate::protocol::{DataFile, FromWorker, RunId, ToWorker};
use crate::render::sample_grid;
use crate::url::encode;

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

async fn describe(state: Rc<RefCell<State>>, run: RunId, query: String) {
    let start = js_sys::Date::now();
    match dataset_for(&state, &query) {
        Ok((config, ds)) => post(&FromWorker::Described {
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
