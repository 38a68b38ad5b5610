//! Running a grid several runs at a time (native only). Each thread takes the next point no
//! thread has started; the results are filed through one `SweepRun` in grid order as they come
//! in. Every run draws only from its own seed, so the results do not depend on how many run at
//! once. The caller trains each point its own way (the command line with a progress bar).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::shard::Shard;
use super::{SweepPoint, SweepResult, SweepRun, SweepSpec};
use crate::params::ExperimentConfig;
use crate::record::RunRecord;

/// A grid to run: `spec` on top of `base`, `jobs` runs at a time, and only `shard`'s runs when
/// given.
pub struct SweepJob<'a> {
    pub spec: &'a SweepSpec,
    pub base: &'a ExperimentConfig,
    pub shard: Option<Shard>,
    pub jobs: usize,
}

/// Why a point's run gave no record.
pub enum PointError<E> {
    /// The run itself failed (a NaN loss): it is filed as failed with this reason, and the grid
    /// goes on.
    Failed(String),
    /// The grid cannot go on (a device or file error).
    Fatal(E),
}

impl SweepJob<'_> {
    /// Trains every point with `train`, `jobs` at a time; `train` gets the run's label
    /// (`[3/12] bits=5 seed 2`) and its point. `filed` is called with every result so far each
    /// time the grid's next result is filed (one that failed too), so a stopped sweep keeps what
    /// it finished. A fatal error, or one from `filed`, stops the grid: the threads finish the
    /// runs they are in and start no more.
    pub fn run<E: Send>(
        &self,
        train: impl Fn(&str, &SweepPoint) -> Result<RunRecord, PointError<E>> + Sync,
        mut filed: impl FnMut(&[SweepResult]) -> Result<(), E>,
    ) -> Result<Vec<SweepResult>, E> {
        let spec = self.spec;
        let mut sweep = match self.shard {
            Some(shard) => SweepRun::sharded(spec.clone(), self.base, shard),
            None => SweepRun::new(spec.clone(), self.base),
        };
        let points = sweep.points.clone();
        let total = points.len();
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<(usize, Result<RunRecord, PointError<E>>)>();
        std::thread::scope(|scope| {
            for _ in 0..self.jobs.min(total) {
                let tx = tx.clone();
                let (points, next, train) = (&points, &next, &train);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(point) = points.get(i) else { break };
                        let seed = match spec.seeds > 1 {
                            true => format!(" seed {}", point.config.seed),
                            false => String::new(),
                        };
                        let label =
                            format!("[{}/{total}] {}{seed}", i + 1, spec.label(&point.values));
                        // The receiver is gone after an error: stop after the run we were in.
                        if tx.send((i, train(&label, point))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Runs finish out of order; file each once every run before it is filed.
            let mut waiting = BTreeMap::new();
            for (i, outcome) in rx {
                waiting.insert(i, outcome);
                while let Some(outcome) = waiting.remove(&sweep.results.len()) {
                    match outcome {
                        Ok(record) => {
                            sweep.finish_current(&record);
                        }
                        Err(PointError::Failed(why)) => {
                            sweep.fail_current(&why);
                        }
                        Err(PointError::Fatal(e)) => return Err(e),
                    }
                    filed(&sweep.results)?;
                }
            }
            Ok(())
        })?;
        Ok(sweep.results)
    }
}
