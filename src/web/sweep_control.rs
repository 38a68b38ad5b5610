//! The page's sweep commands: a grid (or one shard of it) run point after point through the
//! worker, cancelled, a failed run re-run alone, a sweep kept in the browser resumed, and merged
//! shard files shown as the sweep on screen. Each filed run is stored at once (`sweep_store`).

use leptos::prelude::*;

use super::controller::RunController;
use super::state::Status;
use super::sweep_store::KeptSweep;
use crate::presets::shards::Merged;
use crate::protocol::ToWorker;
use crate::sweep::shard::Shard;
use crate::sweep::{SweepRun, SweepSpec};
use crate::url::decode;

impl RunController {
    /// Runs `spec` on the settings on screen, or only `shard` of its runs.
    pub fn run_sweep(self, spec: SweepSpec, shard: Option<Shard>) {
        let base = self.link.config.get_untracked();
        let run = match shard {
            Some(s) => SweepRun::sharded(spec, &base, s),
            None => SweepRun::new(spec, &base),
        };
        self.begin(run);
    }

    /// Makes `run` the sweep on screen and starts its next point.
    fn begin(self, run: SweepRun) {
        let first = run.current().map(|p| p.config.clone());
        self.run.sweep_run.set(Some(run));
        self.keep_sweep();
        if let Some(c) = first {
            self.start(&c, false);
        }
    }

    pub fn cancel_sweep(self) {
        self.run.stop_sweep("cancelled");
        self.keep_sweep();
        self.worker.post(ToWorker::Reset);
        self.run.next_run();
        self.run.status.set(Status::Idle);
    }

    /// Re-runs failed run `i` of the sweep on screen, alone.
    pub fn redo(self, i: usize) {
        let next = self
            .run
            .sweep_run
            .try_update(|r| r.as_mut()?.redo_failed(i).map(|p| p.config.clone()))
            .flatten();
        if let Some(c) = next {
            self.start(&c, false);
        }
    }

    /// Opens the sweep the browser kept: its link, and what it finished; `resume` runs what is
    /// missing. `Err` says why it cannot be read back.
    pub fn open_kept(self, kept: &KeptSweep, resume: bool) -> Result<(), String> {
        let (decoded, mut run) = kept.restore()?;
        self.link.open(decoded);
        if !resume {
            run.active = false;
            self.run.sweep_run.set(Some(run));
            return Ok(());
        }
        self.begin(run);
        Ok(())
    }

    /// Shows merged shard files as the sweep on screen, its link in the address bar.
    pub fn show_merged(self, merged: &Merged) -> Result<(), String> {
        let run =
            SweepRun::new(merged.spec.clone(), &merged.config).resume(merged.results.clone())?;
        self.run.stop_sweep("shard files were merged");
        self.link.open(decode(&merged.link));
        self.run.sweep_run.set(Some(run));
        self.keep_sweep();
        Ok(())
    }

    /// Stores the sweep on screen as it is now.
    pub(super) fn keep_sweep(self) {
        self.run.sweep_run.with_untracked(|r| {
            if let Some(r) = r {
                KeptSweep::of(r).save();
            }
        });
    }
}
