//! The only things the page and the training worker say to each other: two serde enums.
//! Core code, so the protocol is tested natively.

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
    pub fn as_pairs(files: &[DataFile]) -> Vec<(String, Vec<u8>)> {
        files
            .iter()
            .map(|f| (f.name.clone(), f.bytes.clone()))
            .collect()
    }
}

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Generate the dataset of `query` and report its fingerprint (no training).
    Describe {
        query: String,
        files: Vec<DataFile>,
    },
    /// Train `query` from scratch; WebGPU if `prefer_gpu` and an adapter exists, else the CPU.
    Start {
        query: String,
        files: Vec<DataFile>,
        prefer_gpu: bool,
    },
    Pause,
    Resume,
    /// Stop and forget the current run.
    Reset,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker is loaded and listening.
    Ready,
    Described {
        query: String,
        fingerprint: String,
        summary: String,
    },
    /// Which backend trains, on what adapter, and why.
    Backend {
        kind: BackendKind,
        adapter: String,
        reason: String,
    },
    /// The run started: the dataset's fingerprint and the model's size.
    Started {
        query: String,
        fingerprint: String,
        params: usize,
        total_steps: usize,
    },
    Events {
        step: usize,
        events: Vec<Event>,
    },
    Paused {
        step: usize,
    },
    Finished(Box<RunRecord>),
    /// Something the user should read, training goes on.
    Notice(String),
    /// Training stopped: bad data, NaN, a device failure.
    Error(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_json() {
        let m = ToWorker::Start {
            query: "v=1&bits=3".into(),
            files: vec![DataFile {
                name: "a.png".into(),
                bytes: vec![1, 2, 3],
            }],
            prefer_gpu: true,
        };
        let back: ToWorker = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        let f = FromWorker::Backend {
            kind: BackendKind::Cpu,
            adapter: "flex".into(),
            reason: "no WebGPU".into(),
        };
        let back: FromWorker = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }
}
