//! The worker client: starts the training worker, holds messages until it says Ready, sends
//! what the page asks for, and applies what the worker says to the page state.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::state::{BackendBadge, PageState, Status};
use crate::params::ExperimentConfig;
use crate::protocol::{FromWorker, ToWorker};
use crate::record::BackendKind;
use crate::sweep::{SweepRun, SweepSpec};
use crate::url::encode;

#[derive(Clone, Copy)]
pub struct WorkerClient {
    state: PageState,
    worker: StoredValue<Option<Worker>, LocalStorage>,
    /// Messages posted before the worker's wasm has loaded would be lost: they wait for Ready.
    ready: StoredValue<bool>,
    queued: StoredValue<Vec<ToWorker>>,
}

fn send(worker: &Worker, message: &ToWorker) {
    if let Ok(value) = serde_wasm_bindgen::to_value(message) {
        let _ = worker.post_message(&value);
    }
}

/// What a message from the worker does to the page; returns a message to send back (the next
/// point of a sweep).
pub fn apply(state: &PageState, message: FromWorker) -> Option<ToWorker> {
    match message {
        FromWorker::Ready => {}
        FromWorker::Described {
            query,
            fingerprint,
            summary,
        } => {
            if query == encode(&state.config.get_untracked()) {
                state.fingerprint.set(Some((fingerprint, summary)));
            }
        }
        FromWorker::Backend {
            kind,
            adapter,
            reason,
        } => state.badge.set(Some(BackendBadge {
            kind,
            adapter,
            reason,
        })),
        FromWorker::Started {
            fingerprint,
            params,
            total_steps,
            ..
        } => {
            state.status.set(Status::Running);
            state.progress.set((0, total_steps));
            state.notice.set(Some(format!(
                "training {params} parameters on dataset {fingerprint}"
            )));
        }
        FromWorker::Events { step, events } => {
            state.progress.update(|p| p.0 = step);
            if !events.is_empty() {
                let block = state.config.get_untracked().block;
                state
                    .record
                    .update(|r| events.iter().for_each(|e| r.record(e, block)));
            }
            if state.status.get_untracked() != Status::Paused {
                state.status.set(Status::Running);
            }
        }
        FromWorker::Paused { .. } => state.status.set(Status::Paused),
        FromWorker::Finished(record) => {
            // The next point of a sweep starts as soon as one finishes.
            let next = state
                .sweep_run
                .try_update(|run| {
                    let run = run.as_mut().filter(|run| run.active)?;
                    run.finish_current(&record).map(|p| encode(&p.config))
                })
                .flatten();
            state.record.set(*record);
            state.status.set(Status::Finished);
            if let Some(query) = next {
                state.clear_run(query.clone());
                state.status.set(Status::Starting);
                return Some(ToWorker::Start {
                    query,
                    files: state.files.get_value(),
                    prefer_gpu: state.prefer_gpu.get_untracked(),
                });
            }
        }
        FromWorker::Notice(n) => state.notice.set(Some(n)),
        FromWorker::Error(e) => {
            state.stop_sweep(&e);
            state.status.set(Status::Failed(e));
        }
    }
    None
}

impl WorkerClient {
    /// The client, with its worker started.
    pub fn new(state: PageState) -> Self {
        let client = Self {
            state,
            worker: StoredValue::new_local(None),
            ready: StoredValue::new(false),
            queued: StoredValue::new(Vec::new()),
        };
        client.spawn();
        client
    }

    fn spawn(self) {
        let state = self.state;
        let worker = match Worker::new("./worker_loader.js") {
            Ok(w) => w,
            Err(e) => {
                state.status.set(Status::Failed(format!(
                    "cannot start the training worker: {e:?}"
                )));
                return;
            }
        };
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match serde_wasm_bindgen::from_value::<FromWorker>(ev.data()) {
                Ok(FromWorker::Ready) => self.flush(),
                Ok(m) => {
                    if let Some(reply) = apply(&state, m) {
                        self.post(reply);
                    }
                }
                Err(e) => state
                    .status
                    .set(Status::Failed(format!("bad message from the worker: {e}"))),
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        // A dead worker (out of memory, a lost GPU device, a panic) must not take the page
        // with it: say so, and fall back to the CPU for the next start.
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            let was_gpu = state
                .badge
                .get_untracked()
                .is_some_and(|b| b.kind == BackendKind::Wgpu);
            if was_gpu {
                state.prefer_gpu.set(false);
            }
            state.status.set(Status::Failed(format!(
                "the training worker stopped: {}{}",
                ev.message(),
                if was_gpu {
                    " — WebGPU is now off; press Train to continue on the CPU"
                } else {
                    ""
                }
            )));
            state.stop_sweep("the training worker stopped");
            self.worker.update_value(|w| *w = None);
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.ready.set_value(false);
        self.worker.set_value(Some(worker));
    }

    /// The worker said Ready: send what waited.
    fn flush(self) {
        self.ready.set_value(true);
        let mut waiting = Vec::new();
        self.queued
            .update_value(|q| std::mem::swap(q, &mut waiting));
        self.worker.with_value(|w| {
            if let Some(w) = w {
                waiting.iter().for_each(|m| send(w, m));
            }
        });
    }

    /// Sends `message`, starting a new worker if the last one died.
    pub fn post(self, message: ToWorker) {
        if self.worker.with_value(|w| w.is_none()) {
            self.spawn();
        }
        if !self.ready.get_value() {
            self.queued.update_value(|q| q.push(message));
            return;
        }
        self.worker.with_value(|w| {
            if let Some(w) = w {
                send(w, &message)
            }
        });
    }

    /// Trains `config` from scratch.
    pub fn start(self, config: &ExperimentConfig) {
        let state = self.state;
        state.clear_run(encode(config));
        state.status.set(Status::Starting);
        state.notice.set(None);
        self.post(ToWorker::Start {
            query: encode(config),
            files: state.files.get_value(),
            prefer_gpu: state.prefer_gpu.get_untracked(),
        });
    }

    /// Train: one run of the current settings (ending any sweep).
    pub fn train(self) {
        self.state.stop_sweep("a single run was started");
        self.start(&self.state.config.get_untracked());
    }

    pub fn run_sweep(self, spec: SweepSpec) {
        let run = SweepRun::new(spec, &self.state.config.get_untracked());
        let first = run.current().map(|p| p.config.clone());
        self.state.sweep_run.set(Some(run));
        if let Some(c) = first {
            self.start(&c);
        }
    }

    pub fn cancel_sweep(self) {
        self.state.stop_sweep("cancelled");
        self.post(ToWorker::Reset);
        self.state.status.set(Status::Idle);
    }

    pub fn pause_or_resume(self) {
        let status = self.state.status;
        match status.get_untracked() {
            Status::Running => {
                status.set(Status::Paused);
                self.post(ToWorker::Pause);
            }
            Status::Paused => {
                status.set(Status::Running);
                self.post(ToWorker::Resume);
            }
            _ => {}
        }
    }

    pub fn reset(self) {
        self.state.stop_sweep("reset");
        self.post(ToWorker::Reset);
        self.state.reset_run();
    }
}
