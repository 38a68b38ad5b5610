//! Each finding's verdict, computed from a preset sweep's runs (docs/science.md, "Verdicts"):
//! a gate that says the feature was learnable at all, then the predicted effect, each judged
//! over seeds with its margin. This file reads a sweep's runs and holds the checks several
//! findings share; the rules themselves are grouped by finding under `rules/`.

pub(super) mod competing;
pub(super) mod local;
pub(super) mod losses;
pub(super) mod randbit;

use crate::record::FinalMetrics;
use crate::sweep::report::probe_value;
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Check, Effect, MIN_MARGIN, Stat};

/// The runs of one sweep, read point by point.
struct Runs<'a> {
    spec: &'a SweepSpec,
    results: &'a [SweepResult],
}

impl<'a> Runs<'a> {
    fn new(spec: &'a SweepSpec, results: &'a [SweepResult]) -> Self {
        Self { spec, results }
    }

    fn stat(&self, values: &[&str], f: impl Fn(&FinalMetrics) -> Option<f32>) -> Stat {
        self.spec.stat_at(self.results, values, f)
    }

    /// The sweep's metric of `feature` (offline, online or kNN probe).
    fn probe(&self, values: &[&str], feature: &str) -> Stat {
        let metric = self.spec.effect;
        self.stat(values, |m| {
            m.probes.get(feature).map(|p| probe_value(metric, p))
        })
    }

    /// Per run at `values`, `to − from` of two of its own numbers (e.g. the trained encoder
    /// against itself at initialisation): the differences a paired effect is judged on.
    fn change(
        &self,
        values: &[&str],
        from: impl Fn(&FinalMetrics) -> Option<f32>,
        to: impl Fn(&FinalMetrics) -> Option<f32>,
    ) -> Stat {
        self.stat(values, |m| Some(to(m)? - from(m)?))
    }

    /// Per seed, `f` of the runs at `a` and at `b` together (e.g. two blocks of the same
    /// training, the sweep's points differing only in what is read): the values a paired
    /// effect across two points is judged on. Seeds missing at either point are left out.
    fn across(
        &self,
        a: &[&str],
        b: &[&str],
        f: impl Fn(&FinalMetrics, &FinalMetrics) -> Option<f32>,
    ) -> Stat {
        let at = |values: &[&str], seed: u64| {
            self.results
                .iter()
                .find(|r| r.seed == seed && r.counts_at(values))
        };
        let mut seeds: Vec<u64> = self.results.iter().map(|r| r.seed).collect();
        seeds.sort_unstable();
        seeds.dedup();
        let samples: Vec<f32> = seeds
            .into_iter()
            .filter_map(|seed| f(&at(a, seed)?.metrics, &at(b, seed)?.metrics))
            .filter(|v| v.is_finite())
            .collect();
        Stat::of(&samples)
    }

    /// Per run, what training added to the offline probe of `feature` (trained − untrained).
    fn training_adds(&self, values: &[&str], feature: &str) -> Stat {
        self.change(
            values,
            |m| m.probes.get(feature).map(|p| p.offline_at_init),
            |m| m.probes.get(feature).map(|p| p.offline_test_acc),
        )
    }

    /// The offline probe of `feature` on the untrained encoder.
    fn at_init(&self, values: &[&str], feature: &str) -> Stat {
        self.stat(values, |m| m.probes.get(feature).map(|p| p.offline_at_init))
    }

    fn offline(&self, values: &[&str], feature: &str) -> Stat {
        self.stat(values, |m| {
            m.probes.get(feature).map(|p| p.offline_test_acc)
        })
    }

    /// Contrastive top-1 accuracy on the last training batch read.
    fn contrastive(&self, values: &[&str]) -> Stat {
        self.stat(values, |m| Some(m.contrastive_acc))
    }

    fn chance(&self, values: &[&str], feature: &str) -> Stat {
        self.stat(values, |m| m.probes.get(feature).map(|p| p.chance))
    }

    fn first(&self, axis: usize) -> &'a str {
        &self.spec.axes[axis].values[0]
    }

    fn last(&self, axis: usize) -> &'a str {
        self.spec.axes[axis]
            .values
            .last()
            .expect("an axis has values")
    }

    /// The first axis's values.
    fn xs(&self) -> &'a [String] {
        &self.spec.axes[0].values
    }
}

fn check(what: impl Into<String>, effect: Effect) -> Check {
    Check {
        what: what.into(),
        effect,
    }
}

/// "Learned": the trained probe above the untrained encoder's by the margin, each run against
/// itself at initialisation.
fn learned(runs: &Runs, values: &[&str], feature: &str) -> Check {
    check(
        format!(
            "gate: {feature} learned at {} (offline, init → trained)",
            values.join(" ")
        ),
        Effect::rise(
            runs.at_init(values, feature),
            runs.offline(values, feature),
            MIN_MARGIN,
        )
        .paired(runs.training_adds(values, feature)),
    )
}

/// The part of a fall of `feature` from `a` to `b` that training caused: the trained encoder's
/// offline probe must fall by more than the untrained encoder's does on the same data (when the
/// data itself makes the feature harder to read, both fall).
/// `span` names the two points, e.g. "0 to 20 bits".
fn fall_beyond_init(runs: &Runs, a: &[&str], b: &[&str], feature: &str, span: &str) -> Check {
    check(
        format!("{feature}'s fall, {span}, exceeds the untrained encoder's (offline)"),
        Effect::rise(
            runs.at_init(a, feature).minus(runs.at_init(b, feature)),
            runs.offline(a, feature).minus(runs.offline(b, feature)),
            MIN_MARGIN,
        ),
    )
}

#[cfg(test)]
mod tests;
