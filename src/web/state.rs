//! The page's state: every signal the panels read or write, in one `Copy` value that the app
//! provides as context, and the operations on it that several panels share.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::dom;
use crate::data::{Dataset, generate};
use crate::params::{BaseKind, ExperimentConfig};
use crate::presets::{PRESETS, Preset};
use crate::protocol::RunId;
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

/// A finished run kept in the browser: its link, when, its headline numbers and its curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub link: String,
    /// Milliseconds since the epoch.
    pub date: f64,
    pub headline: String,
    pub record: RunRecord,
}

/// At most this many finished runs are kept (oldest dropped first).
pub const HISTORY_LIMIT: usize = 12;
const HISTORY_KEY: &str = "contrastive-playground/history";

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
    /// Knobs the link hides (`hide=`).
    pub hidden: RwSignal<Vec<String>>,
    /// The user's files are in the worker; their summary, or why they were refused.
    pub file_note: RwSignal<Option<Result<String, String>>>,
    /// Bumped whenever the worker holds new files (the dataset changes with them).
    pub files_version: RwSignal<u32>,
    pub has_files: RwSignal<bool>,
    pub status: RwSignal<Status>,
    pub badge: RwSignal<Option<BackendBadge>>,
    /// The full dataset's fingerprint and summary, from the worker.
    pub fingerprint: RwSignal<Option<(String, String)>>,
    /// The sample grid the worker drew of the user's data (the page has no copy of it).
    pub file_preview: RwSignal<Option<crate::protocol::Picture>>,
    /// The run on screen; `run_id` is the id of the newest run asked for.
    pub record: RwSignal<RunRecord>,
    pub run_id: RwSignal<RunId>,
    /// The config the run on screen was started with.
    pub ran: RwSignal<Option<ExperimentConfig>>,
    /// (steps done, total steps) and when the run started (ms), for the progress bar and ETA.
    pub progress: RwSignal<(usize, usize)>,
    pub started_at: RwSignal<f64>,
    pub notice: RwSignal<Option<String>>,
    pub prefer_gpu: RwSignal<bool>,
    /// Finished runs kept in the browser, newest first, and which (at most two) are overlaid.
    pub history: RwSignal<Vec<HistoryEntry>>,
    pub overlays: RwSignal<Vec<usize>>,
}

/// The preset whose sweep a link carries (so a shared preset link shows its explanation).
pub fn preset_of(spec: Option<&SweepSpec>) -> Option<&'static Preset> {
    let spec = spec?;
    PRESETS.iter().find(|p| p.sweep_spec().axes == spec.axes)
}

fn empty_record() -> RunRecord {
    RunRecord::new(String::new(), String::new(), String::new())
}

impl PageState {
    /// The state a link opens with (a first visit without a query opens the quick RandBit
    /// story).
    pub fn from_link(link: &str) -> Self {
        let quick = Preset::find("randbit-quick");
        let decoded = match (link.trim_start_matches(['?', '#']).is_empty(), quick) {
            (true, Some(p)) => decode(&crate::url::encode_with_sweep(
                &p.small_experiment(),
                Some(&p.sweep_spec()),
            )),
            _ => decode(link),
        };
        Self {
            config: RwSignal::new(decoded.config),
            warnings: RwSignal::new(decoded.warnings),
            preset: RwSignal::new(preset_of(decoded.sweep.as_ref())),
            sweep: RwSignal::new(decoded.sweep),
            sweep_run: RwSignal::new(None),
            hidden: RwSignal::new(decoded.hide),
            file_note: RwSignal::new(None),
            files_version: RwSignal::new(0),
            has_files: RwSignal::new(false),
            status: RwSignal::new(Status::Idle),
            badge: RwSignal::new(None),
            fingerprint: RwSignal::new(None),
            file_preview: RwSignal::new(None),
            record: RwSignal::new(empty_record()),
            run_id: RwSignal::new(0),
            ran: RwSignal::new(None),
            progress: RwSignal::new((0, 0)),
            started_at: RwSignal::new(0.0),
            notice: RwSignal::new(None),
            prefer_gpu: RwSignal::new(true),
            history: RwSignal::new(load_history()),
            overlays: RwSignal::new(Vec::new()),
        }
    }

    /// Loads a finding: its CPU-sized experiment (keeping the seed) and its sweep.
    pub fn load_preset(&self, p: &'static Preset) {
        let mut c = p.small_experiment();
        c.seed = self.config.get_untracked().seed;
        self.config.set(c);
        self.sweep.set(Some(p.sweep_spec()));
        self.preset.set(Some(p));
    }

    /// A new run id: messages about older runs are dropped from now on.
    pub fn next_run(&self) -> RunId {
        self.run_id.update(|r| *r += 1);
        self.run_id.get_untracked()
    }

    /// Forgets the current run's curves (a new run starts from nothing).
    pub fn clear_run(&self, config: &ExperimentConfig) {
        self.record.set(RunRecord::new(
            crate::url::encode(config),
            String::new(),
            String::new(),
        ));
        self.ran.set(Some(config.clone()));
        self.progress.set((0, config.steps));
        self.started_at.set(js_sys::Date::now());
    }

    pub fn reset_run(&self) {
        self.status.set(Status::Idle);
        self.record.set(empty_record());
        self.ran.set(None);
        self.progress.set((0, 0));
    }

    /// Marks a running sweep as stopped (a cancel, a reset).
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
            Status::Idle => "Ready: press Train (or Run sweep).".to_string(),
            Status::Starting => "Starting…".into(),
            Status::Running => format!("Training: step {done} of {total}{}", self.eta()),
            Status::Paused => format!("Paused at step {done} of {total}"),
            Status::Finished => format!("Finished {total} steps"),
            Status::Failed(e) => format!("Stopped: {e}"),
        }
    }

    /// ", about 12 s left" from the pace so far.
    fn eta(&self) -> String {
        let (done, total) = self.progress.get();
        let elapsed = (js_sys::Date::now() - self.started_at.get()) / 1000.0;
        if done < 2 || elapsed <= 0.0 || total <= done {
            return String::new();
        }
        let left = elapsed / done as f64 * (total - done) as f64;
        format!(", about {} left", dom::duration(left))
    }

    /// Whether the knobs moved since the run on screen started.
    pub fn settings_changed(&self) -> bool {
        self.ran
            .with(|ran| ran.as_ref().is_some_and(|r| *r != self.config.get()))
    }

    /// The probed features of the current run (tracked).
    pub fn feature_names(&self) -> Vec<String> {
        self.record.with(|r| r.feature_names())
    }

    /// A small copy of `config`'s synthetic dataset (preview grid and the test images the
    /// panels show). Sample i does not depend on how many are generated, so these are the
    /// run's own first samples. The user's data lives in the worker: `None` then.
    pub fn small_dataset(
        &self,
        config: &ExperimentConfig,
        test: usize,
    ) -> Option<Result<Dataset, String>> {
        if config.base == BaseKind::File && config.uses("base") {
            return None;
        }
        let mut c = config.clone();
        c.train_size = 64;
        c.test_size = test.clamp(32, 20_000);
        Some(generate(&c, None).map_err(|e| e.to_string()))
    }

    /// Keeps a finished run (compact) in the history and the browser's storage.
    pub fn remember(&self, record: &RunRecord) {
        let entry = HistoryEntry {
            link: record.config.clone(),
            date: js_sys::Date::now(),
            headline: record.headline(),
            record: record.compact(),
        };
        self.history.update(|h| {
            h.insert(0, entry);
            h.truncate(HISTORY_LIMIT);
        });
        self.overlays.update(|o| {
            // Indices move down by one with the new entry.
            o.iter_mut().for_each(|i| *i += 1);
            o.retain(|&i| i < HISTORY_LIMIT);
        });
        self.history.with_untracked(|h| save_history(h));
    }

    pub fn clear_history(&self) {
        self.history.set(Vec::new());
        self.overlays.set(Vec::new());
        dom::storage_remove(HISTORY_KEY);
    }

    /// The overlaid runs with their labels.
    pub fn overlaid(&self) -> Vec<(String, RunRecord)> {
        let overlays = self.overlays.get();
        self.history.with(|h| {
            overlays
                .iter()
                .filter_map(|&i| {
                    h.get(i)
                        .map(|e| (format!("run {}", i + 1), e.record.clone()))
                })
                .collect()
        })
    }
}

fn load_history() -> Vec<HistoryEntry> {
    dom::storage_get(HISTORY_KEY)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Saves as many entries as the storage takes, dropping the oldest when it is full.
fn save_history(history: &[HistoryEntry]) {
    let mut keep = history.len();
    while keep > 0 {
        if let Ok(text) = serde_json::to_string(&history[..keep])
            && dom::storage_set(HISTORY_KEY, &text)
        {
            return;
        }
        keep -= 1;
    }
    dom::storage_remove(HISTORY_KEY);
}
