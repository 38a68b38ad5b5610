//! Finished runs kept in the browser: the newest first, at most [`HISTORY_LIMIT`], saved in
//! local storage across reloads, and which of them (at most two) are overlaid on the charts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::dom;
use crate::record::RunRecord;

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

/// Finished runs, newest first, and the indices of the overlaid ones.
#[derive(Clone, Copy)]
pub struct RunHistory {
    pub entries: RwSignal<Vec<HistoryEntry>>,
    pub overlays: RwSignal<Vec<usize>>,
}

impl RunHistory {
    /// The runs this browser kept.
    pub fn load() -> Self {
        Self {
            entries: RwSignal::new(load_history()),
            overlays: RwSignal::new(Vec::new()),
        }
    }

    /// Keeps a finished run (compact) in the history and the browser's storage.
    pub fn remember(&self, record: &RunRecord) {
        let entry = HistoryEntry {
            link: record.config.clone(),
            date: js_sys::Date::now(),
            headline: record.headline(),
            record: record.compact(),
        };
        self.entries.update(|h| {
            h.insert(0, entry);
            h.truncate(HISTORY_LIMIT);
        });
        self.overlays.update(|o| {
            // Indices move down by one with the new entry.
            o.iter_mut().for_each(|i| *i += 1);
            o.retain(|&i| i < HISTORY_LIMIT);
        });
        self.entries.with_untracked(|h| save_history(h));
    }

    pub fn clear(&self) {
        self.entries.set(Vec::new());
        self.overlays.set(Vec::new());
        dom::storage_remove(HISTORY_KEY);
    }

    /// The overlaid runs with their labels.
    pub fn overlaid(&self) -> Vec<(String, RunRecord)> {
        let overlays = self.overlays.get();
        self.entries.with(|h| {
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
