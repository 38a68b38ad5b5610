//! The page's state, split by concern: what the link carries ([`LinkState`]), the run on screen
//! ([`RunState`], which only the controller writes; the panels read it as [`RunView`]) and the
//! user's files ([`Files`]). The app provides each as context; a panel takes the parts it reads.

use leptos::prelude::*;

use super::dom;
use crate::params::ExperimentConfig;
use crate::presets::{PRESETS, Preset};
use crate::protocol::{ModelSummary, Picture, RunId};
use crate::record::{BackendKind, RunRecord};
use crate::sweep::{SweepRun, SweepSpec};
use crate::url::result::ExpectedResult;
use crate::url::{Decoded, ParamWarning, decode, encode};

/// Where the current run is.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Idle,
    Starting,
    Running,
    Paused,
    Finished,
    Failed(String),
    /// A loaded model being evaluated, and evaluated.
    Evaluating,
    Evaluated,
}

/// The page's view of the worker's backend.
#[derive(Clone, Debug, PartialEq)]
pub struct BackendBadge {
    pub kind: BackendKind,
    pub adapter: String,
    pub reason: String,
}

/// What the link carries, kept in the address bar: the settings, the sweep in the editor, the
/// hidden knobs and the preset they came from.
#[derive(Clone, Copy)]
pub struct LinkState {
    pub config: RwSignal<ExperimentConfig>,
    /// Link parameters that were not used as written.
    pub warnings: RwSignal<Vec<ParamWarning>>,
    pub preset: RwSignal<Option<&'static Preset>>,
    /// The sweep in the editor (and the link).
    pub sweep: RwSignal<Option<SweepSpec>>,
    /// Knobs the link hides (`hide=`).
    pub hidden: RwSignal<Vec<String>>,
    /// The result the link's run should reproduce, with the config text it belongs to (it is
    /// dropped from the address bar once the settings move).
    pub result: RwSignal<Option<(String, ExpectedResult)>>,
}

/// The preset whose sweep a link carries (so a shared preset link shows its explanation).
fn preset_of(spec: Option<&SweepSpec>) -> Option<&'static Preset> {
    let spec = spec?;
    PRESETS.iter().find(|p| p.matches(spec))
}

impl LinkState {
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
        let result = decoded.result.clone().map(|r| (encode(&decoded.config), r));
        Self {
            config: RwSignal::new(decoded.config),
            warnings: RwSignal::new(decoded.warnings),
            preset: RwSignal::new(preset_of(decoded.sweep.as_ref())),
            sweep: RwSignal::new(decoded.sweep),
            hidden: RwSignal::new(decoded.hide),
            result: RwSignal::new(result),
        }
    }

    /// Opens another link in place (a loaded model's, a resumed or merged sweep's): its
    /// settings, sweep, result and warnings.
    pub fn open(&self, decoded: Decoded) {
        self.result
            .set(decoded.result.clone().map(|r| (encode(&decoded.config), r)));
        self.preset.set(preset_of(decoded.sweep.as_ref()));
        self.config.set(decoded.config);
        self.sweep.set(decoded.sweep);
        self.warnings.set(decoded.warnings);
    }

    /// The result the settings on screen should reproduce, if the link carried one for them.
    pub fn expected(&self) -> Option<ExpectedResult> {
        let config = encode(&self.config.get());
        self.result
            .get()
            .filter(|(c, _)| *c == config)
            .map(|(_, r)| r)
    }

    /// Loads a finding: its CPU-sized experiment (keeping the seed) and its sweep.
    pub fn load_preset(&self, p: &'static Preset) {
        let mut c = p.small_experiment();
        c.seed = self.config.get_untracked().seed;
        self.config.set(c);
        self.sweep.set(Some(p.sweep_spec()));
        self.preset.set(Some(p));
    }
}

/// The run on screen and the sweep being run. Only the controller writes these.
#[derive(Clone, Copy)]
pub struct RunState {
    pub status: RwSignal<Status>,
    pub badge: RwSignal<Option<BackendBadge>>,
    /// The run on screen; `run_id` is the id of the newest run asked for.
    pub record: RwSignal<RunRecord>,
    pub run_id: RwSignal<RunId>,
    /// The config the run on screen was started with.
    pub running_config: RwSignal<Option<ExperimentConfig>>,
    /// (steps done, total steps) and when the run started (ms), for the progress bar and ETA.
    pub progress: RwSignal<(usize, usize)>,
    pub started_at: RwSignal<f64>,
    pub notice: RwSignal<Option<String>>,
    /// The sweep being run, or the last one run.
    pub sweep_run: RwSignal<Option<SweepRun>>,
    /// The header's "use WebGPU" switch; turned off when WebGPU fails.
    pub prefer_gpu: RwSignal<bool>,
    /// The model file the worker keeps, and what the last save or load said.
    pub model: RwSignal<Option<ModelSummary>>,
    pub model_note: RwSignal<Option<Result<String, String>>>,
}

/// The run on screen as the panels see it: read-only, except the header's WebGPU switch.
#[derive(Clone, Copy)]
pub struct RunView {
    pub status: ReadSignal<Status>,
    pub badge: ReadSignal<Option<BackendBadge>>,
    pub record: ReadSignal<RunRecord>,
    pub running_config: ReadSignal<Option<ExperimentConfig>>,
    pub progress: ReadSignal<(usize, usize)>,
    pub started_at: ReadSignal<f64>,
    pub notice: ReadSignal<Option<String>>,
    pub sweep_run: ReadSignal<Option<SweepRun>>,
    pub prefer_gpu: RwSignal<bool>,
    pub model: ReadSignal<Option<ModelSummary>>,
    pub model_note: ReadSignal<Option<Result<String, String>>>,
}

fn empty_record() -> RunRecord {
    RunRecord::new(String::new(), String::new(), String::new())
}

/// No run yet.
impl Default for RunState {
    fn default() -> Self {
        Self {
            status: RwSignal::new(Status::Idle),
            badge: RwSignal::new(None),
            record: RwSignal::new(empty_record()),
            run_id: RwSignal::new(0),
            running_config: RwSignal::new(None),
            progress: RwSignal::new((0, 0)),
            started_at: RwSignal::new(0.0),
            notice: RwSignal::new(None),
            sweep_run: RwSignal::new(None),
            prefer_gpu: RwSignal::new(true),
            model: RwSignal::new(None),
            model_note: RwSignal::new(None),
        }
    }
}

impl RunState {
    /// The panels' read-only view.
    pub fn view(&self) -> RunView {
        RunView {
            status: self.status.read_only(),
            badge: self.badge.read_only(),
            record: self.record.read_only(),
            running_config: self.running_config.read_only(),
            progress: self.progress.read_only(),
            started_at: self.started_at.read_only(),
            notice: self.notice.read_only(),
            sweep_run: self.sweep_run.read_only(),
            prefer_gpu: self.prefer_gpu,
            model: self.model.read_only(),
            model_note: self.model_note.read_only(),
        }
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
        self.running_config.set(Some(config.clone()));
        self.progress.set((0, config.steps));
        self.started_at.set(js_sys::Date::now());
    }

    pub fn reset_run(&self) {
        self.status.set(Status::Idle);
        self.record.set(empty_record());
        self.running_config.set(None);
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
}

impl RunView {
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
            Status::Evaluating => "Evaluating the loaded model…".into(),
            Status::Evaluated => format!(
                "Evaluated the loaded model on dataset {}",
                self.record.with(|r| r.fingerprint.clone())
            ),
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

    /// Whether the knobs (`config`) moved since the run on screen started: for a point of a
    /// sweep, since the sweep started (its points differ from the settings by design). `Some`
    /// says which ("sweep" or "run").
    pub fn settings_changed(&self, config: ReadSignal<ExperimentConfig>) -> Option<&'static str> {
        let ran = self.running_config.get()?;
        let sweep_base = self.sweep_run.with(|s| {
            s.as_ref()
                .filter(|s| s.points.iter().any(|p| p.config == ran))
                .map(|s| s.base.clone())
        });
        match sweep_base {
            Some(base) => (base != config.get()).then_some("sweep"),
            None => (ran != config.get()).then_some("run"),
        }
    }

    /// The probed features of the current run (tracked).
    pub fn feature_names(&self) -> Vec<String> {
        self.record.with(|r| r.feature_names())
    }
}

/// The user's files, which live in the worker, and what the worker says of the dataset.
#[derive(Clone, Copy)]
pub struct Files {
    /// The user's files are in the worker; their summary, or why they were refused.
    pub file_note: RwSignal<Option<Result<String, String>>>,
    /// Bumped whenever the worker holds new files (the dataset changes with them).
    pub files_version: RwSignal<u32>,
    /// The full dataset's fingerprint and summary, from the worker.
    pub fingerprint: RwSignal<Option<(String, String)>>,
    /// The sample grid the worker drew of the user's data (the page has no copy of it).
    pub file_preview: RwSignal<Option<Picture>>,
}

/// No files yet.
impl Default for Files {
    fn default() -> Self {
        Self {
            file_note: RwSignal::new(None),
            files_version: RwSignal::new(0),
            fingerprint: RwSignal::new(None),
            file_preview: RwSignal::new(None),
        }
    }
}
