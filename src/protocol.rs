//! The only things the page and the training worker say to each other: two serde enums.
//! Core code, so the protocol is tested natively.
//!
//! Every message about a run carries the run's id: the page numbers its runs, and drops any
//! message whose id is not the current one (a late evaluation of a run that was reset cannot
//! land on the next run). The user's files cross once, when dropped, and are decoded in the
//! worker.

use serde::{Deserialize, Serialize};

use crate::record::{BackendKind, Event, RunRecord};

/// A user's file, as bytes (the browser never uploads it anywhere).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataFile {
    pub name: String,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

impl DataFile {
    /// The loaders' input form.
    pub fn as_pairs(files: Vec<DataFile>) -> Vec<(String, Vec<u8>)> {
        files.into_iter().map(|f| (f.name, f.bytes)).collect()
    }
}

/// An RGB8 picture (interleaved): what `render` draws, the CLI saves and the page paints.
/// `render` adds the drawing methods.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    #[serde(with = "serde_bytes")]
    pub rgb: Vec<u8>,
}

/// Which run a message belongs to.
pub type RunId = u64;

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// The user's files (replacing any before); the worker decodes and keeps them.
    SetFiles {
        files: Vec<DataFile>,
    },
    /// Generate the dataset of `query` and report its fingerprint (no training).
    Describe {
        run: RunId,
        query: String,
    },
    /// Train `query` from scratch as run `run`; WebGPU if `prefer_gpu` and an adapter exists,
    /// else the CPU. `paused` starts it paused (for Step).
    Start {
        run: RunId,
        query: String,
        prefer_gpu: bool,
        paused: bool,
    },
    Pause {
        run: RunId,
    },
    Resume {
        run: RunId,
    },
    /// One step of a paused run.
    Step {
        run: RunId,
    },
    /// Stop and forget the current run.
    Reset,
    /// The model of finished run `run` as a file, with `link` in its metadata.
    SaveModel {
        run: RunId,
        link: String,
    },
    /// A model file to keep (checked whole first) for [`ToWorker::Evaluate`].
    LoadModel {
        file: DataFile,
    },
    /// Evaluate the kept model on the dataset of `query` (its network from the file), as run
    /// `run`.
    Evaluate {
        run: RunId,
        query: String,
        prefer_gpu: bool,
    },
}

/// A model file the worker keeps: its name, its link and what it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub name: String,
    pub link: String,
    pub summary: String,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker is loaded and listening; `gpu` says whether it can train on WebGPU.
    Ready {
        gpu: bool,
    },
    /// The files decoded (their summary) or why not.
    FilesSet {
        summary: Result<String, String>,
    },
    /// A dataset's fingerprint and summary: about the settings in `query`, not a run, so it
    /// stays current after a run starts (the page keeps it while `query` is still on screen).
    Described {
        query: String,
        fingerprint: String,
        summary: String,
        /// The sample grid, drawn here when the data is the user's (the page has no copy).
        preview: Option<Picture>,
    },
    /// Which backend trains, on what adapter, and why.
    Backend {
        run: RunId,
        kind: BackendKind,
        adapter: String,
        reason: String,
    },
    /// The run started: the dataset's fingerprint and the model's size.
    Started {
        run: RunId,
        query: String,
        fingerprint: String,
        params: usize,
        total_steps: usize,
    },
    Events {
        run: RunId,
        step: usize,
        events: Vec<Event>,
    },
    Paused {
        run: RunId,
        step: usize,
    },
    Finished {
        run: RunId,
        record: Box<RunRecord>,
    },
    /// The model file of run `run`, or why there is none.
    ModelSaved {
        run: RunId,
        file: Result<DataFile, String>,
    },
    /// The model file was kept, or why it was refused (nothing else changed).
    ModelLoaded {
        model: Result<ModelSummary, String>,
    },
    /// The kept model evaluated: a record of the untrained encoder's and the model's evaluation.
    Evaluated {
        run: RunId,
        record: Box<RunRecord>,
    },
    /// The run stopped: bad data, NaN, a device failure. `device_lost` asks the page to
    /// replace the worker and continue on the CPU.
    Error {
        run: RunId,
        message: String,
        device_lost: bool,
    },
}

impl FromWorker {
    /// The run a message is about (`None` for messages about the worker itself or a dataset).
    pub fn run(&self) -> Option<RunId> {
        match self {
            FromWorker::Ready { .. }
            | FromWorker::FilesSet { .. }
            | FromWorker::Described { .. }
            | FromWorker::ModelLoaded { .. } => None,
            FromWorker::Backend { run, .. }
            | FromWorker::Started { run, .. }
            | FromWorker::Events { run, .. }
            | FromWorker::Paused { run, .. }
            | FromWorker::Finished { run, .. }
            | FromWorker::ModelSaved { run, .. }
            | FromWorker::Evaluated { run, .. }
            | FromWorker::Error { run, .. } => Some(*run),
        }
    }

    /// Whether the page should act on it while run `current` is the page's run.
    pub fn is_current(&self, current: RunId) -> bool {
        self.run().is_none_or(|run| run == current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_json() {
        let m = ToWorker::SetFiles {
            files: vec![DataFile {
                name: "a.png".into(),
                bytes: vec![1, 2, 3],
            }],
        };
        let back: ToWorker = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        let f = FromWorker::Backend {
            run: 4,
            kind: BackendKind::Cpu,
            adapter: "flex".into(),
            reason: "no WebGPU".into(),
        };
        let back: FromWorker = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn a_stale_message_is_recognised_by_its_run_id() {
        let late = FromWorker::Events {
            run: 3,
            step: 10,
            events: Vec::new(),
        };
        assert!(late.is_current(3));
        assert!(!late.is_current(4));
        assert!(FromWorker::Ready { gpu: false }.is_current(4));
    }

    #[test]
    fn a_description_asked_for_before_a_run_started_is_still_current() {
        let described = FromWorker::Described {
            query: "v=3".into(),
            fingerprint: "0123456789abcdef".into(),
            summary: String::new(),
            preview: None,
        };
        assert!(described.is_current(4));
        let failed = FromWorker::Error {
            run: 3,
            message: "bad data".into(),
            device_lost: false,
        };
        assert!(!failed.is_current(4));
    }
}
