//! The page's run controller: the commands the buttons give (train, step, pause, sweep, reset)
//! and the worker's answers applied to the page's state. Messages about runs that are no longer
//! current are dropped; a lost worker is replaced on the CPU, with a notice saying why, and the
//! run it had fails (a sweep marks that point and goes on).

use leptos::prelude::*;

use super::run_history::RunHistory;
use super::state::{BackendBadge, Files, LinkState, RunState, Status};
use super::worker_link::{LinkEvent, WorkerKind, WorkerLink};
use crate::params::{BaseKind, DataKind, ExperimentConfig};
use crate::protocol::{DataFile, FromWorker, Picture, ToWorker};
use crate::record::{BackendKind, Event, RunRecord};
use crate::url::encode;

#[derive(Clone, Copy)]
pub struct RunController {
    pub(super) link: LinkState,
    pub(super) run: RunState,
    files: Files,
    history: RunHistory,
    pub(super) worker: WorkerLink,
}

impl RunController {
    /// The controller, with its worker started.
    pub fn new(link: LinkState, run: RunState, files: Files, history: RunHistory) -> Self {
        let controller = Self {
            link,
            run,
            files,
            history,
            worker: WorkerLink::new(),
        };
        controller.worker.start(move |event| match event {
            LinkEvent::Message(message) => controller.receive(message),
            LinkEvent::Lost(why) => controller.replace(&why),
            LinkEvent::Broken(why) => controller.run.status.set(Status::Failed(why)),
        });
        controller
    }

    /// Says why the worker was lost and continues on a fresh one on the CPU; a sweep goes on.
    fn replace(self, why: &str) {
        let was_gpu = self
            .run
            .badge
            .get_untracked()
            .is_some_and(|b| b.kind == BackendKind::Wgpu);
        self.run.prefer_gpu.set(false);
        let notice = format!(
            "{why}{}; a new worker was started on the CPU",
            if was_gpu { " (on WebGPU)" } else { "" }
        );
        self.run.notice.set(Some(notice.clone()));
        self.worker.restart_on_cpu();
        self.run_failed(&notice);
    }

    /// The current run failed: a sweep marks its point and goes on; a single run stops.
    fn run_failed(self, why: &str) {
        let next = self
            .run
            .sweep_run
            .try_update(|run| {
                let run = run.as_mut().filter(|run| run.active)?;
                run.fail_current(why).map(|p| p.config.clone())
            })
            .flatten();
        self.keep_sweep();
        match next {
            Some(config) => self.start(&config, false),
            None => self.run.status.set(Status::Failed(why.to_string())),
        }
    }

    /// Applies a message from the worker to the page (stale ones are dropped).
    fn receive(self, message: FromWorker) {
        if !message.is_current(self.run.run_id.get_untracked()) {
            return;
        }
        match message {
            FromWorker::Ready { gpu } => self.on_ready(gpu),
            FromWorker::FilesSet { summary } => self.on_files_set(summary),
            FromWorker::Described {
                query,
                fingerprint,
                summary,
                preview,
                ..
            } => self.on_described(&query, fingerprint, summary, preview),
            FromWorker::Backend {
                kind,
                adapter,
                reason,
                ..
            } => self.run.badge.set(Some(BackendBadge {
                kind,
                adapter,
                reason,
            })),
            FromWorker::Started {
                fingerprint,
                params,
                total_steps,
                ..
            } => self.on_started(&fingerprint, params, total_steps),
            FromWorker::Events { step, events, .. } => self.on_events(step, &events),
            FromWorker::Paused { step, .. } => {
                self.run.progress.update(|p| p.0 = step);
                self.run.status.set(Status::Paused);
            }
            FromWorker::Finished { record, .. } => self.on_finished(*record),
            FromWorker::ModelSaved { file, .. } => self.on_model_saved(file),
            FromWorker::ModelLoaded { model } => self.on_model_loaded(model),
            FromWorker::Evaluated { record, .. } => self.on_evaluated(*record),
            FromWorker::Error {
                message,
                device_lost,
                ..
            } => self.on_error(&message, device_lost),
        }
    }
}

/// The worker and the user's data.
impl RunController {
    fn on_ready(self, gpu: bool) {
        if !gpu && self.run.prefer_gpu.get_untracked() {
            self.run.badge.set(Some(BackendBadge {
                kind: BackendKind::Cpu,
                adapter: "CPU".into(),
                reason: "this browser has no WebGPU".into(),
            }));
        }
    }

    fn on_files_set(self, summary: Result<String, String>) {
        self.files.file_note.set(Some(summary.clone().map(|s| {
            format!("{s} — used as base=file (read in your browser, never uploaded)")
        })));
        if summary.is_ok() {
            self.link.config.update(|c| {
                c.base = BaseKind::File;
                if !c.uses("base") {
                    c.data = DataKind::RandBit;
                }
            });
            self.files.files_version.update(|v| *v += 1);
        }
    }

    /// The dataset's fingerprint, if it is still that of the settings on screen.
    fn on_described(
        self,
        query: &str,
        fingerprint: String,
        summary: String,
        preview: Option<Picture>,
    ) {
        if query == encode(&self.link.config.get_untracked()) {
            self.files.fingerprint.set(Some((fingerprint, summary)));
            self.files.file_preview.set(preview);
        }
    }

    /// Hands the user's files to the worker.
    pub fn set_files(self, files: Vec<DataFile>) {
        self.worker.set_files(files);
    }

    /// Asks for the fingerprint of `config`'s dataset.
    pub fn describe(self, config: &ExperimentConfig) {
        self.worker.post(ToWorker::Describe {
            run: self.run.run_id.get_untracked(),
            query: encode(config),
        });
    }
}

/// A run's progress and its end.
impl RunController {
    fn on_started(self, fingerprint: &str, params: usize, total_steps: usize) {
        if self.run.status.get_untracked() != Status::Paused {
            self.run.status.set(Status::Running);
        }
        self.run.progress.set((0, total_steps));
        self.run.notice.set(Some(format!(
            "Training {params} parameters on dataset {fingerprint}."
        )));
    }

    fn on_events(self, step: usize, events: &[Event]) {
        self.run.progress.update(|p| p.0 = step);
        if !events.is_empty() {
            let block = self.link.config.get_untracked().block;
            self.run
                .record
                .update(|r| events.iter().for_each(|e| r.record(e, block)));
        }
        if self.run.status.get_untracked() != Status::Paused {
            self.run.status.set(Status::Running);
        }
    }

    fn on_finished(self, record: RunRecord) {
        self.history.remember(&record);
        // The next point of a sweep starts as soon as one finishes.
        let next = self
            .run
            .sweep_run
            .try_update(|run| {
                let run = run.as_mut().filter(|run| run.active)?;
                run.finish_current(&record).map(|p| p.config.clone())
            })
            .flatten();
        self.keep_sweep();
        self.run.record.set(record);
        self.run.status.set(Status::Finished);
        if let Some(config) = next {
            self.start(&config, false);
        }
    }

    fn on_error(self, message: &str, device_lost: bool) {
        if device_lost {
            self.replace(&format!("the GPU device failed: {message}"));
        } else {
            self.run_failed(message);
        }
    }
}

/// The buttons' commands.
impl RunController {
    /// Trains `config` from scratch as a new run (`paused`: stopped before its first step).
    pub fn start(self, config: &ExperimentConfig, paused: bool) {
        let run = self.run.next_run();
        self.run.clear_run(config);
        self.run.status.set(if paused {
            Status::Paused
        } else {
            Status::Starting
        });
        let prefer_gpu = self.run.prefer_gpu.get_untracked();
        let kind = if prefer_gpu && self.worker.gpu_adapter() {
            WorkerKind::Gpu
        } else {
            WorkerKind::Cpu
        };
        self.worker.use_kind(kind);
        self.run.notice.set(
            (kind == WorkerKind::Gpu && !self.worker.is_ready())
                .then(|| "Loading the WebGPU worker (about 3 MB, once per visit)…".to_string()),
        );
        self.worker.post(ToWorker::Start {
            run,
            query: encode(config),
            prefer_gpu,
            paused,
        });
    }

    /// Train: one run of the current settings (ending any sweep).
    pub fn train(self) {
        self.run.stop_sweep("a single run was started");
        self.start(&self.link.config.get_untracked(), false);
    }

    /// Step: one step of the paused run, or a new run paused after its first step.
    pub fn step(self) {
        match self.run.status.get_untracked() {
            Status::Paused => self.worker.post(ToWorker::Step {
                run: self.run.run_id.get_untracked(),
            }),
            Status::Running | Status::Starting => self.pause_or_resume(),
            _ => {
                self.run.stop_sweep("a single run was started");
                self.start(&self.link.config.get_untracked(), true);
            }
        }
    }

    pub fn pause_or_resume(self) {
        let run = self.run.run_id.get_untracked();
        match self.run.status.get_untracked() {
            Status::Running | Status::Starting => {
                self.run.status.set(Status::Paused);
                self.worker.post(ToWorker::Pause { run });
            }
            Status::Paused => {
                self.run.status.set(Status::Running);
                self.worker.post(ToWorker::Resume { run });
            }
            _ => {}
        }
    }

    pub fn reset(self) {
        self.run.stop_sweep("reset");
        self.worker.post(ToWorker::Reset);
        self.run.next_run();
        self.run.reset_run();
    }
}
