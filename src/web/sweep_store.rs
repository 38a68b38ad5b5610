//! The sweep on screen kept in the browser's storage as each of its runs is filed, so that a
//! reload or a crash loses nothing: the page then offers to resume it, running only what is
//! missing (its results are kept in grid order, failed runs with their reason).

use serde::{Deserialize, Serialize};

use super::dom;
use crate::sweep::shard::Shard;
use crate::sweep::{SweepResult, SweepRun};
use crate::url::{Decoded, decode, encode_with_sweep};

const SWEEP_KEY: &str = "contrastive-playground/sweep";

/// A sweep as stored: its link (base settings, grid, seeds), the shard it runs, its results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptSweep {
    pub link: String,
    /// `K/N`, for one shard of the grid.
    pub shard: Option<String>,
    pub results: Vec<SweepResult>,
    /// When it was last filed, in milliseconds since the epoch.
    pub date: f64,
    /// Runs in all (of its shard).
    pub runs: usize,
}

impl KeptSweep {
    pub fn of(run: &SweepRun) -> Self {
        Self {
            link: encode_with_sweep(&run.base, Some(&run.spec)),
            shard: run.shard.map(|s| s.to_string()),
            results: run.results.clone(),
            date: js_sys::Date::now(),
            runs: run.points.len(),
        }
    }

    /// The sweep this browser kept, if any (one that no longer reads is forgotten).
    pub fn load() -> Option<Self> {
        let kept = dom::storage_get(SWEEP_KEY)
            .and_then(|text| serde_json::from_str::<KeptSweep>(&text).ok());
        if kept.is_none() {
            dom::storage_remove(SWEEP_KEY);
        }
        kept
    }

    /// Stores it (false when the browser refuses: full or disabled).
    pub fn save(&self) -> bool {
        serde_json::to_string(self).is_ok_and(|text| dom::storage_set(SWEEP_KEY, &text))
    }

    pub fn clear() {
        dom::storage_remove(SWEEP_KEY);
    }

    /// Runs still to do.
    pub fn missing(&self) -> usize {
        self.runs.saturating_sub(self.results.len())
    }

    /// Its link decoded, and the sweep with its results, ready to run what is missing.
    pub fn restore(&self) -> Result<(Decoded, SweepRun), String> {
        let decoded = decode(&self.link);
        let spec = decoded
            .sweep
            .clone()
            .ok_or("the kept sweep's link has no sweep")?;
        let run = match &self.shard {
            Some(s) => SweepRun::sharded(spec, &decoded.config, s.parse::<Shard>()?),
            None => SweepRun::new(spec, &decoded.config),
        };
        let run = run.resume(self.results.clone())?;
        Ok((decoded, run))
    }
}
