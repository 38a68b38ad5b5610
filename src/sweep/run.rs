//! Sequencing a sweep: which point runs next, what has finished, and why a grid stopped. The
//! CLI and the page both step through a grid with this; each trains a point its own way. A
//! sweep can be resumed from the results it kept, and a failed run re-run alone.

use super::shard::Shard;
use super::{SweepPoint, SweepResult, SweepSpec};
use crate::params::ExperimentConfig;
use crate::record::RunRecord;

/// A sweep being run (or the last one run): its grid and what has finished.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRun {
    pub spec: SweepSpec,
    /// The config every point starts from.
    pub base: ExperimentConfig,
    pub points: Vec<SweepPoint>,
    pub results: Vec<SweepResult>,
    /// Still starting runs (false once finished, cancelled or failed).
    pub active: bool,
    /// Why it stopped early, if it did.
    pub stopped: Option<String>,
    /// The shard of the grid it runs, if only one.
    pub shard: Option<Shard>,
    /// A failed run being re-run alone: its place in `results`.
    pub redo: Option<usize>,
}

impl SweepRun {
    pub fn new(spec: SweepSpec, base: &ExperimentConfig) -> Self {
        Self {
            points: spec.points(base),
            spec,
            base: base.clone(),
            results: Vec::new(),
            active: true,
            stopped: None,
            shard: None,
            redo: None,
        }
    }

    /// Only shard `shard`'s runs of the grid.
    pub fn sharded(spec: SweepSpec, base: &ExperimentConfig, shard: Shard) -> Self {
        let mut run = Self::new(spec, base);
        run.shard = Some(shard);
        run.points = std::mem::take(&mut run.points)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| shard.takes(*i))
            .map(|(_, p)| p)
            .collect();
        run
    }

    /// The same grid with the results a stopped run of it kept (in its order), ready to run
    /// only what is missing; `Err` names a result that is not this grid's next run.
    pub fn resume(mut self, results: Vec<SweepResult>) -> Result<Self, String> {
        if results.len() > self.points.len() {
            return Err(format!(
                "{} results for a sweep of {} runs",
                results.len(),
                self.points.len()
            ));
        }
        for (r, p) in results.iter().zip(&self.points) {
            if r.values != p.values || r.seed != p.config.seed {
                return Err(format!(
                    "{} seed {} is not this sweep's run {} seed {}",
                    self.spec.label(&r.values),
                    r.seed,
                    self.spec.label(&p.values),
                    p.config.seed
                ));
            }
        }
        self.results = results;
        self.active = self.current().is_some();
        Ok(self)
    }

    /// Runs not finished yet (failed ones count as finished).
    pub fn missing(&self) -> usize {
        self.points.len() - self.results.len()
    }

    /// The point now running (or next to run).
    pub fn current(&self) -> Option<&SweepPoint> {
        match self.redo {
            Some(i) => self.points.get(i),
            None => self.points.get(self.results.len()),
        }
    }

    /// Re-runs failed run `i` alone (the rest of the grid stays as it is); returns its point.
    pub fn redo_failed(&mut self, i: usize) -> Option<&SweepPoint> {
        self.results.get(i)?.failed.as_ref()?;
        self.redo = Some(i);
        (self.active, self.stopped) = (true, None);
        self.current()
    }

    /// Files the current point's finished run and returns the point to run next, if any (the
    /// grid becomes inactive after its last point).
    pub fn finish_current(&mut self, record: &RunRecord) -> Option<&SweepPoint> {
        let point = self.current()?.clone();
        self.file(SweepResult {
            values: point.values,
            seed: point.config.seed,
            config: record.config.clone(),
            fingerprint: record.fingerprint.clone(),
            metrics: record.final_metrics.clone(),
            failed: None,
        })
    }

    /// Files the current point as failed, with why, and returns the point to run next: one
    /// failed run does not end the grid.
    pub fn fail_current(&mut self, why: &str) -> Option<&SweepPoint> {
        let point = self.current()?.clone();
        self.file(SweepResult {
            values: point.values,
            seed: point.config.seed,
            config: crate::params::query::encode(&point.config),
            fingerprint: String::new(),
            metrics: Default::default(),
            failed: Some(why.to_string()),
        })
    }

    /// Files the current point's result: in its place for a re-run (which then ends), else next.
    fn file(&mut self, result: SweepResult) -> Option<&SweepPoint> {
        match self.redo.take() {
            Some(i) => {
                self.results[i] = result;
                self.active = false;
                None
            }
            None => {
                self.results.push(result);
                self.active = self.current().is_some();
                self.current()
            }
        }
    }

    /// Stops the grid early, saying why (a failed or cancelled run).
    pub fn stop(&mut self, why: &str) {
        if self.active {
            self.active = false;
            self.stopped = Some(why.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::Metric;

    #[test]
    fn points_run_in_order_and_the_grid_ends_after_the_last() {
        let spec = SweepSpec::parse("bits:0,5", Metric::Offline).unwrap();
        let mut run = SweepRun::new(spec, &ExperimentConfig::default());
        assert_eq!(run.current().unwrap().config.bits, 0);
        let record = RunRecord::new("v=2".into(), "fp".into(), "cpu".into());
        assert_eq!(run.finish_current(&record).unwrap().config.bits, 5);
        assert!(run.active);
        assert!(run.finish_current(&record).is_none());
        assert!(!run.active && run.stopped.is_none());
        assert_eq!(run.results.len(), 2);
        assert_eq!(run.results[1].values, ["5"]);
        // Nothing more to file.
        assert!(run.finish_current(&record).is_none());
        assert_eq!(run.results.len(), 2);
    }

    #[test]
    fn a_failed_run_is_kept_marked_and_the_grid_goes_on() {
        let spec = SweepSpec::parse("bits:0,5,10", Metric::Offline).unwrap();
        let mut run = SweepRun::new(spec, &ExperimentConfig::default());
        let next = run.fail_current("the loss became NaN at step 3").cloned();
        assert_eq!(next.unwrap().config.bits, 5);
        assert!(run.active);
        assert_eq!(
            run.results[0].failed.as_deref(),
            Some("the loss became NaN at step 3")
        );
        assert!(run.results[0].config.contains("v=3"));
    }

    #[test]
    fn a_resumed_grid_runs_only_what_is_missing_and_a_failed_run_reruns_alone() {
        let spec = SweepSpec::parse("bits:0,5,10", Metric::Offline).unwrap();
        let base = ExperimentConfig::default();
        let record = RunRecord::new("v=2".into(), "fp".into(), "cpu".into());
        let mut first = SweepRun::new(spec.clone(), &base);
        first.fail_current("the loss became NaN at step 3");
        first.finish_current(&record);
        let mut again = SweepRun::new(spec.clone(), &base)
            .resume(first.results.clone())
            .unwrap();
        assert_eq!(
            (again.missing(), again.current().unwrap().config.bits),
            (1, 10)
        );
        assert!(again.finish_current(&record).is_none());
        assert!(!again.active && again.missing() == 0);
        // The failed run again, alone: filed in its place, and the grid ends.
        assert_eq!(again.redo_failed(0).unwrap().config.bits, 0);
        assert!(
            again.redo_failed(1).is_none(),
            "only a failed run is re-run"
        );
        assert_eq!(again.current().unwrap().config.bits, 0);
        assert!(again.finish_current(&record).is_none());
        assert!(again.results.iter().all(|r| r.failed.is_none()) && !again.active);
        assert_eq!(again.results.len(), 3);
        // Results of another grid are refused, naming the run.
        let other = SweepSpec::parse("bits:1,5,10", Metric::Offline).unwrap();
        let e = SweepRun::new(other, &base)
            .resume(first.results)
            .unwrap_err();
        assert!(
            e.contains("bits=0 seed 0 is not this sweep's run bits=1"),
            "{e}"
        );
    }

    #[test]
    fn a_stopped_grid_keeps_its_results_and_says_why() {
        let spec = SweepSpec::parse("bits:0,5,10", Metric::Offline).unwrap();
        let mut run = SweepRun::new(spec, &ExperimentConfig::default());
        run.finish_current(&RunRecord::new(String::new(), String::new(), String::new()));
        run.stop("cancelled");
        assert_eq!(
            (run.active, run.stopped.as_deref()),
            (false, Some("cancelled"))
        );
        assert_eq!(run.results.len(), 1);
        run.stop("again");
        assert_eq!(run.stopped.as_deref(), Some("cancelled"));
    }
}
