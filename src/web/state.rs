//! The page's state: every signal the panels read or write, in one `Copy` value that the app
//! provides as context, and the operations on it that several panels share.

use leptos::prelude::*;
use std::sync::Arc;

use crate::data::loaders::LoadedSet;
use crate::data::{Dataset, generate};
use crate::params::ExperimentConfig;
use crate::presets::{PRESETS, Preset};
use crate::protocol::DataFile;
use crate::record::{BackendKind, RunRecord};
use crate::sweep::{SweepRun, SweepSpec};
use crate::url::{ParamWarning, decode};

/// Where the current run is.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Idle,
    Starting,
    Running,
    Paused,
    Finished,
    Failed(String),
}

/// The page's view of the worker's backend.
#[derive(Clone, Debug, PartialEq)]
pub struct BackendBadge {
    pub kind: BackendKind,
    pub adapter: String,
    pub reason: String,
}

#[derive(Clone, Copy)]
pub struct PageState {
    pub config: RwSignal<ExperimentConfig>,
    /// Link parameters that were not used as written.
    pub warnings: RwSignal<Vec<ParamWarning>>,
    pub preset: RwSignal<Option<&'static Preset>>,
    /// The sweep in the editor (and the link).
    pub sweep: RwSignal<Option<SweepSpec>>,
    /// The sweep being run, or the last one run.
    pub sweep_run: RwSignal<Option<SweepRun>>,
    /// The user's files, as read, and decoded (so the preview does not parse them again).
    pub files: StoredValue<Vec<DataFile>>,
    pub loaded: StoredValue<Option<Arc<LoadedSet>>>,
    /// Bumped whenever the files change.
    pub files_version: RwSignal<u32>,
    pub file_note: RwSignal<Option<Result<String, String>>>,
    pub status: RwSignal<Status>,
    pub badge: RwSignal<Option<BackendBadge>>,
    /// The full dataset's fingerprint and summary, from the worker.
    pub fingerprint: RwSignal<Option<(String, String)>>,
    pub record: RwSignal<RunRecord>,
    /// The A/B run drawn dashed under the current one.
    pub pinned: RwSignal<Option<RunRecord>>,
    /// (steps done, total steps).
    pub progress: RwSignal<(usize, usize)>,
    pub notice: RwSignal<Option<String>>,
    pub prefer_gpu: RwSignal<bool>,
}

fn empty_record() -> RunRecord {
    RunRecord::new(String::new(), String::new(), String::new())
}

/// The preset whose sweep a link carries (so a shared preset link shows its explanation).
pub fn preset_of(spec: Option<&SweepSpec>) -> Option<&'static Preset> {
    let spec = spec?;
    PRESETS.iter().find(|p| p.sweep_spec() == *spec)
}

impl PageState {
    /// The state a link opens with.
    pub fn from_link(link: &str) -> Self {
        let decoded = decode(link);
        Self {
            config: RwSignal::new(decoded.config),
            warnings: RwSignal::new(decoded.warnings),
            preset: RwSignal::new(preset_of(decoded.sweep.as_ref())),
            sweep: RwSignal::new(decoded.sweep),
            sweep_run: RwSignal::new(None),
            files: StoredValue::new(Vec::new()),
            loaded: StoredValue::new(None),
            files_version: RwSignal::new(0),
            file_note: RwSignal::new(None),
            status: RwSignal::new(Status::Idle),
            badge: RwSignal::new(None),
            fingerprint: RwSignal::new(None),
            record: RwSignal::new(empty_record()),
            pinned: RwSignal::new(None),
            progress: RwSignal::new((0, 0)),
            notice: RwSignal::new(None),
            prefer_gpu: RwSignal::new(true),
        }
    }

    /// Forgets the current run's curves (a new run starts from nothing).
    pub fn clear_run(&self, query: String) {
        self.record
            .set(RunRecord::new(query, String::new(), String::new()));
    }

    pub fn reset_run(&self) {
        self.status.set(Status::Idle);
        self.record.set(empty_record());
        self.progress.set((0, 0));
    }

    /// Marks a running sweep as stopped (a failed or cancelled run ends the grid).
    pub fn stop_sweep(&self, why: &str) {
        if self
            .sweep_run
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.active))
        {
            self.sweep_run.update(|r| {
                if let Some(r) = r {
                    r.stop(why);
                }
            });
        }
    }

    /// The status line.
    pub fn status_text(&self) -> String {
        let (done, total) = self.progress.get();
        match self.status.get() {
            Status::Idle => "idle".to_string(),
            Status::Starting => "starting…".into(),
            Status::Running => format!("training step {done} / {total}"),
            Status::Paused => format!("paused at step {done}"),
            Status::Finished => format!("finished {total} steps"),
            Status::Failed(e) => format!("stopped: {e}"),
        }
    }

    /// The probed features of the current run (tracked).
    pub fn feature_names(&self) -> Vec<String> {
        self.record.with(|r| r.feature_names())
    }

    /// A small copy of `config`'s dataset (preview grid and the test images the panels show).
    /// Sample i does not depend on how many are generated, so these are the run's own first
    /// samples.
    pub fn small_dataset(&self, config: &ExperimentConfig, test: usize) -> Result<Dataset, String> {
        let mut c = config.clone();
        c.train_size = 64;
        c.test_size = test.clamp(32, 20_000);
        let file = self.loaded.get_value();
        generate(&c, file.as_deref()).map_err(|e| e.to_string())
    }
}
