//! Sequencing a sweep: which point runs next, what has finished, and why a grid stopped. The
//! CLI and the page both step through a grid with this; each trains a point its own way.

use super::{SweepPoint, SweepResult, SweepSpec};
use crate::params::ExperimentConfig;
use crate::record::RunRecord;

/// A sweep being run (or the last one run): its grid and what has finished.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRun {
    pub spec: SweepSpec,
    pub points: Vec<SweepPoint>,
    pub results: Vec<SweepResult>,
    /// Still starting runs (false once finished, cancelled or failed).
    pub active: bool,
    /// Why it stopped early, if it did.
    pub stopped: Option<String>,
}

impl SweepRun {
    pub fn new(spec: SweepSpec, base: &ExperimentConfig) -> Self {
        Self {
            points: spec.points(base),
            spec,
            results: Vec::new(),
            active: true,
            stopped: None,
        }
    }

    /// Only shard `shard`'s runs of the grid.
    pub fn sharded(spec: SweepSpec, base: &ExperimentConfig, shard: super::shard::Shard) -> Self {
        let mut run = Self::new(spec, base);
        run.points = std::mem::take(&mut run.points)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| shard.takes(*i))
            .map(|(_, p)| p)
            .collect();
        run
    }

    /// The point now running (or next to run).
    pub fn current(&self) -> Option<&SweepPoint> {
        self.points.get(self.results.len())
    }

    /// Files the current point's finished run and returns the point to run next, if any (the
    /// grid becomes inactive after its last point).
    pub fn finish_current(&mut self, record: &RunRecord) -> Option<&SweepPoint> {
        let point = self.current()?.clone();
        self.results.push(SweepResult {
            values: point.values,
            seed: point.config.seed,
            config: record.config.clone(),
            fingerprint: record.fingerprint.clone(),
            metrics: record.final_metrics.clone(),
            failed: None,
        });
        self.active = self.current().is_some();
        self.current()
    }

    /// Files the current point as failed, with why, and returns the point to run next: one
    /// failed run does not end the grid.
    pub fn fail_current(&mut self, why: &str) -> Option<&SweepPoint> {
        let point = self.current()?.clone();
        self.results.push(SweepResult {
            values: point.values,
            seed: point.config.seed,
            config: crate::params::query::encode(&point.config),
            fingerprint: String::new(),
            metrics: Default::default(),
            failed: Some(why.to_string()),
        });
        self.active = self.current().is_some();
        self.current()
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
