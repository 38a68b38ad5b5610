//! The worker client: starts the training worker, holds messages until it says Ready, sends
//! what the page asks for, drops what the worker says about runs that are no longer current,
//! and replaces a worker that does not start, dies, or loses its GPU device (the next run then
//! goes to the CPU, with a notice saying why).
//!
//! There are two workers and one runs at a time: the CPU worker (flex only) loads with the page;
//! the WebGPU worker (three times larger) is loaded in its place when a run wants WebGPU and the
//! browser gave an adapter when the page asked at start-up.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::dom;
use super::gpu::{adapter_name, navigator_gpu};
use super::state::{BackendBadge, PageState, Status};
use crate::params::ExperimentConfig;
use crate::protocol::{DataFile, FromWorker, ToWorker};
use crate::record::BackendKind;
use crate::sweep::{SweepRun, SweepSpec};
use crate::url::encode;

/// How long a new worker may take to say Ready before it is replaced.
const READY_TIMEOUT_MS: u64 = 30_000;

/// Which of the two worker builds runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WorkerKind {
    Cpu,
    Gpu,
}

impl WorkerKind {
    fn loader(self) -> &'static str {
        match self {
            WorkerKind::Cpu => "worker_cpu_loader.js",
            WorkerKind::Gpu => "worker_gpu_loader.js",
        }
    }
}

#[derive(Clone, Copy)]
pub struct WorkerClient {
    state: PageState,
    worker: StoredValue<Option<Worker>, LocalStorage>,
    kind: StoredValue<WorkerKind>,
    /// Whether `navigator.gpu` gave an adapter (asked once at start-up; false until it answers).
    gpu_adapter: StoredValue<bool>,
    /// Messages posted before the worker's wasm has loaded would be lost: they wait for Ready.
    ready: StoredValue<bool>,
    queued: StoredValue<Vec<ToWorker>>,
    /// The user's files, re-sent to a replacement worker (never on a knob change).
    files: StoredValue<Vec<DataFile>, LocalStorage>,
    /// Bumped per worker, so a late timeout or error of a replaced worker does nothing.
    generation: StoredValue<u32>,
}

fn send(worker: &Worker, message: &ToWorker) {
    if let Ok(value) = serde_wasm_bindgen::to_value(message) {
        let _ = worker.post_message(&value);
    }
}

impl WorkerClient {
    /// The client, with its worker started.
    pub fn new(state: PageState) -> Self {
        let client = Self {
            state,
            worker: StoredValue::new_local(None),
            kind: StoredValue::new(WorkerKind::Cpu),
            gpu_adapter: StoredValue::new(false),
            ready: StoredValue::new(false),
            queued: StoredValue::new(Vec::new()),
            files: StoredValue::new_local(Vec::new()),
            generation: StoredValue::new(0),
        };
        client.spawn();
        if let Some(gpu) = navigator_gpu() {
            wasm_bindgen_futures::spawn_local(async move {
                let found = adapter_name(&gpu).await.is_ok();
                client.gpu_adapter.set_value(found);
            });
        }
        client
    }

    /// Makes `kind` the running worker (ending the other one; the user's files follow).
    fn switch_to(self, kind: WorkerKind) {
        if self.kind.get_value() == kind && self.worker.with_value(|w| w.is_some()) {
            return;
        }
        self.worker.update_value(|w| {
            if let Some(w) = w.take() {
                w.terminate();
            }
        });
        // What waited for the old worker (a Describe, a Reset) goes to the new one.
        self.kind.set_value(kind);
        self.spawn();
    }

    fn spawn(self) {
        let state = self.state;
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let url = dom::asset_url(self.kind.get_value().loader());
        let worker = match Worker::new(&url) {
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
                Ok(m) => self.receive(m),
                Err(e) => state
                    .status
                    .set(Status::Failed(format!("bad message from the worker: {e}"))),
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        // A dead worker (out of memory, a panic) must not take the page with it.
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            if self.generation.get_value() == generation {
                self.replace(&format!("the training worker stopped ({})", ev.message()));
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.ready.set_value(false);
        self.worker.set_value(Some(worker));
        set_timeout(
            move || {
                if self.generation.get_value() == generation && !self.ready.get_value() {
                    self.replace("the training worker did not start in 30 s");
                }
            },
            std::time::Duration::from_millis(READY_TIMEOUT_MS),
        );
        // A replacement worker gets the user's files again.
        let files = self.files.get_value();
        if !files.is_empty() {
            self.queued
                .update_value(|q| q.insert(0, ToWorker::SetFiles { files }));
        }
    }

    /// Ends the worker, says why, and starts a fresh one on the CPU; a sweep goes on.
    fn replace(self, why: &str) {
        let state = self.state;
        self.worker.update_value(|w| {
            if let Some(w) = w.take() {
                w.terminate();
            }
        });
        let was_gpu = state
            .badge
            .get_untracked()
            .is_some_and(|b| b.kind == BackendKind::Wgpu);
        state.prefer_gpu.set(false);
        self.kind.set_value(WorkerKind::Cpu);
        let notice = format!(
            "{why}{}; a new worker was started on the CPU",
            if was_gpu { " (on WebGPU)" } else { "" }
        );
        state.notice.set(Some(notice.clone()));
        self.spawn();
        self.run_failed(&notice);
    }

    /// The current run failed: a sweep marks its point and goes on; a single run stops.
    fn run_failed(self, why: &str) {
        let state = self.state;
        let next = state
            .sweep_run
            .try_update(|run| {
                let run = run.as_mut().filter(|run| run.active)?;
                run.fail_current(why).map(|p| p.config.clone())
            })
            .flatten();
        match next {
            Some(config) => self.start(&config, false),
            None => state.status.set(Status::Failed(why.to_string())),
        }
    }

    /// Applies a message from the worker to the page (stale ones are dropped).
    fn receive(self, message: FromWorker) {
        let state = self.state;
        if !message.is_current(state.run_id.get_untracked()) {
            return;
        }
        match message {
            FromWorker::Ready { gpu } => {
                if !gpu && state.prefer_gpu.get_untracked() {
                    state.badge.set(Some(BackendBadge {
                        kind: BackendKind::Cpu,
                        adapter: "CPU".into(),
                        reason: "this browser has no WebGPU".into(),
                    }));
                }
                self.flush();
            }
            FromWorker::FilesSet { summary } => {
                state.file_note.set(Some(summary.clone().map(|s| {
                    format!("{s} — used as base=file (read in your browser, never uploaded)")
                })));
                if summary.is_ok() {
                    state.has_files.set(true);
                    state.config.update(|c| {
                        c.base = crate::params::BaseKind::File;
                        if !c.uses("base") {
                            c.data = crate::params::DataKind::RandBit;
                        }
                    });
                    state.files_version.update(|v| *v += 1);
                }
            }
            FromWorker::Described {
                query,
                fingerprint,
                summary,
                preview,
                ..
            } => {
                if query == encode(&state.config.get_untracked()) {
                    state.fingerprint.set(Some((fingerprint, summary)));
                    state.file_preview.set(preview);
                }
            }
            FromWorker::Backend {
                kind,
                adapter,
                reason,
                ..
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
                if state.status.get_untracked() != Status::Paused {
                    state.status.set(Status::Running);
                }
                state.progress.set((0, total_steps));
                state.notice.set(Some(format!(
                    "Training {params} parameters on dataset {fingerprint}."
                )));
            }
            FromWorker::Events { step, events, .. } => {
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
            FromWorker::Paused { step, .. } => {
                state.progress.update(|p| p.0 = step);
                state.status.set(Status::Paused);
            }
            FromWorker::Finished { record, .. } => {
                state.remember(&record);
                // The next point of a sweep starts as soon as one finishes.
                let next = state
                    .sweep_run
                    .try_update(|run| {
                        let run = run.as_mut().filter(|run| run.active)?;
                        run.finish_current(&record).map(|p| p.config.clone())
                    })
                    .flatten();
                state.record.set(*record);
                state.status.set(Status::Finished);
                if let Some(config) = next {
                    self.start(&config, false);
                }
            }
            FromWorker::Notice { text, .. } => state.notice.set(Some(text)),
            FromWorker::Error {
                message,
                device_lost,
                ..
            } => {
                if device_lost {
                    self.replace(&format!("the GPU device failed: {message}"));
                } else {
                    self.run_failed(&message);
                }
            }
        }
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

    /// Sends `message`, starting a new worker if the last one is gone.
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

    /// Hands the user's files to the worker (once; it decodes and keeps them).
    pub fn set_files(self, files: Vec<DataFile>) {
        self.files.set_value(files.clone());
        self.post(ToWorker::SetFiles { files });
    }

    /// Asks for the fingerprint of `config`'s dataset.
    pub fn describe(self, config: &ExperimentConfig) {
        self.post(ToWorker::Describe {
            run: self.state.run_id.get_untracked(),
            query: encode(config),
        });
    }

    /// Trains `config` from scratch as a new run (`paused`: stopped before its first step).
    pub fn start(self, config: &ExperimentConfig, paused: bool) {
        let state = self.state;
        let run = state.next_run();
        state.clear_run(config);
        state.status.set(if paused {
            Status::Paused
        } else {
            Status::Starting
        });
        let gpu = state.prefer_gpu.get_untracked() && self.gpu_adapter.get_value();
        let kind = if gpu {
            WorkerKind::Gpu
        } else {
            WorkerKind::Cpu
        };
        if kind != self.kind.get_value() {
            self.switch_to(kind);
        }
        state.notice.set(
            (kind == WorkerKind::Gpu && !self.ready.get_value())
                .then(|| "Loading the WebGPU worker (about 3 MB, once per visit)…".to_string()),
        );
        self.post(ToWorker::Start {
            run,
            query: encode(config),
            prefer_gpu: state.prefer_gpu.get_untracked(),
            paused,
        });
    }

    /// Train: one run of the current settings (ending any sweep).
    pub fn train(self) {
        self.state.stop_sweep("a single run was started");
        self.start(&self.state.config.get_untracked(), false);
    }

    /// Step: one step of the paused run, or a new run paused after its first step.
    pub fn step(self) {
        let state = self.state;
        match state.status.get_untracked() {
            Status::Paused => self.post(ToWorker::Step {
                run: state.run_id.get_untracked(),
            }),
            Status::Running | Status::Starting => self.pause_or_resume(),
            _ => {
                state.stop_sweep("a single run was started");
                self.start(&state.config.get_untracked(), true);
            }
        }
    }

    pub fn run_sweep(self, spec: SweepSpec) {
        let run = SweepRun::new(spec, &self.state.config.get_untracked());
        let first = run.current().map(|p| p.config.clone());
        self.state.sweep_run.set(Some(run));
        if let Some(c) = first {
            self.start(&c, false);
        }
    }

    pub fn cancel_sweep(self) {
        self.state.stop_sweep("cancelled");
        self.post(ToWorker::Reset);
        self.state.next_run();
        self.state.status.set(Status::Idle);
    }

    pub fn pause_or_resume(self) {
        let state = self.state;
        let run = state.run_id.get_untracked();
        match state.status.get_untracked() {
            Status::Running | Status::Starting => {
                state.status.set(Status::Paused);
                self.post(ToWorker::Pause { run });
            }
            Status::Paused => {
                state.status.set(Status::Running);
                self.post(ToWorker::Resume { run });
            }
            _ => {}
        }
    }

    pub fn reset(self) {
        self.state.stop_sweep("reset");
        self.post(ToWorker::Reset);
        self.state.next_run();
        self.state.reset_run();
    }
}
