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

/// "Learned": the trained probe above the untrained encoder's by the margin.
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
        ),
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
mod tests {
    use super::*;
    use crate::params::ExperimentConfig;
    use crate::presets::Preset;
    use crate::record::FinalProbe;
    use crate::verdict::Outcome;
    use std::collections::BTreeMap;

    /// Three seeds of every grid point of `preset`, with `acc(point values, seed index)` as
    /// every probe's accuracy of `feature` (and chance 0.1, init 0.2).
    fn runs(
        preset: &str,
        features: &[&str],
        acc: impl Fn(&[String], usize) -> f32,
    ) -> Vec<SweepResult> {
        let p = Preset::find(preset).unwrap();
        let spec = p.sweep_spec().with_seeds(3).unwrap();
        spec.points(&ExperimentConfig::default())
            .into_iter()
            .map(|pt| {
                let a = acc(&pt.values, pt.replicate);
                let probes: BTreeMap<String, FinalProbe> = features
                    .iter()
                    .map(|f| {
                        (
                            f.to_string(),
                            FinalProbe {
                                online_test_acc: a,
                                offline_test_acc: a,
                                knn_acc: a,
                                chance: 0.1,
                                offline_at_init: 0.2,
                                ..FinalProbe::default()
                            },
                        )
                    })
                    .collect();
                SweepResult {
                    values: pt.values,
                    seed: pt.config.seed,
                    config: String::new(),
                    fingerprint: String::new(),
                    metrics: FinalMetrics {
                        probes,
                        ..FinalMetrics::default()
                    },
                    failed: None,
                }
            })
            .collect()
    }

    fn verdict(preset: &str, results: &[SweepResult]) -> crate::verdict::Verdict {
        Preset::find(preset).unwrap().verdict(results)
    }

    #[test]
    fn randbit_holds_on_a_clear_fall_and_not_on_noise() {
        let jitter = |seed: usize| [0.0, 0.01, -0.01][seed];
        let fall = runs("randbit", &["digit"], |v, s| {
            let bits: f32 = v[0].parse().unwrap();
            0.9 - 0.04 * bits + jitter(s)
        });
        let v = verdict("randbit", &fall);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
        // A smaller fall (0.4 → 0.1) with a seed spread of ±0.25: the margin grows past it.
        let noisy = runs("randbit", &["digit"], |v, s| {
            let bits: f32 = v[0].parse().unwrap();
            0.4 - 0.015 * bits + [0.0, 0.25, -0.25][s]
        });
        let v = verdict("randbit", &noisy);
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(v.evidence.contains("margin"), "{}", v.evidence);
        // Flat: not shown.
        let flat = runs("randbit", &["digit"], |_, s| 0.9 + jitter(s));
        assert_eq!(verdict("randbit", &flat).outcome, Outcome::NotShown);
    }

    /// The first value of a preset's sweep (its left point).
    fn first_point(preset: &str) -> String {
        Preset::find(preset).unwrap().sweep_spec().axes[0].values[0].clone()
    }

    #[test]
    fn multidigits_needs_its_gate() {
        let equal = first_point("multidigits");
        // The fixed digit falls, but was never learned (trained = init = 0.2 at equal size).
        let unlearned = runs("multidigits", &["fixed_digit", "varying_digit"], |v, _| {
            if v[0] == equal { 0.2 } else { 0.12 }
        });
        let v = verdict("multidigits", &unlearned);
        assert_eq!(v.outcome, Outcome::NotShown);
        assert!(v.evidence.contains("gate"), "{}", v.evidence);
    }

    #[test]
    fn a_fall_the_untrained_encoder_shows_too_is_the_datas() {
        let jitter = |seed: usize| [0.0, 0.01, -0.01][seed];
        let equal = first_point("multidigits");
        // Learned at equal size (0.5 against 0.2 at init), falls to 0.3 as the other grows.
        let mut results = runs("multidigits", &["fixed_digit", "varying_digit"], |v, s| {
            (if v[0] == equal { 0.5 } else { 0.3 }) + jitter(s)
        });
        let v = verdict("multidigits", &results);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
        // The same trained numbers, but the untrained encoder's probe falls by as much (0.2 →
        // 0.02): the data, not the loss, made the digit harder to read.
        for r in results.iter_mut().filter(|r| r.values[0] != equal) {
            for p in r.metrics.probes.values_mut() {
                p.offline_at_init = 0.02;
            }
        }
        let v = verdict("multidigits", &results);
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(v.evidence.contains("untrained"), "{}", v.evidence);
    }

    #[test]
    fn a_large_digit_above_chance_but_not_above_the_untrained_encoder_is_not_learned() {
        let jitter = |seed: usize| [0.0, 0.01, -0.01][seed];
        let equal = first_point("multidigits");
        // The fixed digit: learned (0.6 against 0.2 at init) and suppressed (to 0.15, init
        // stays 0.2). The growing digit at its largest reads 0.6 against chance 0.1, but the
        // untrained encoder already reads 0.6: above chance only, which is no gate.
        let mut results = runs("multidigits", &["fixed_digit", "varying_digit"], |v, s| {
            (if v[0] == equal { 0.6 } else { 0.15 }) + jitter(s)
        });
        for r in results.iter_mut().filter(|r| r.values[0] != equal) {
            let varying = r.metrics.probes.get_mut("varying_digit").unwrap();
            varying.offline_test_acc = 0.6;
            varying.offline_at_init = 0.6;
        }
        let v = verdict("multidigits", &results);
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(
            v.evidence.contains("varying_digit learned"),
            "{}",
            v.evidence
        );
        // Learned beyond the untrained encoder (0.9 against 0.6): the finding holds.
        for r in results.iter_mut().filter(|r| r.values[0] != equal) {
            r.metrics
                .probes
                .get_mut("varying_digit")
                .unwrap()
                .offline_test_acc = 0.9;
        }
        let v = verdict("multidigits", &results);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    }

    /// Colour vs shape's runs: shape at `shape(point is with jitter)`, colour at `colour`
    /// everywhere (untrained 0.2 and chance 0.1 for both).
    fn colour_shape_runs(shape: impl Fn(bool) -> f32, colour: f32) -> Vec<SweepResult> {
        let jitter = |seed: usize| [0.0, 0.01, -0.01][seed];
        let off = first_point("colour-shape");
        let mut results = runs("colour-shape", &["shape", "colour"], |v, s| {
            shape(v[0] != off) + jitter(s)
        });
        for r in &mut results {
            r.metrics.probes.get_mut("colour").unwrap().offline_test_acc = colour;
        }
        results
    }

    #[test]
    fn colour_shape_judges_shape_and_colour_against_the_untrained_encoder() {
        // Suppressed below the untrained 0.2 without jitter, learned beyond it with jitter.
        let v = verdict(
            "colour-shape",
            &colour_shape_runs(|on| if on { 0.5 } else { 0.1 }, 0.9),
        );
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
        // Shape rises by 0.12 but only back to about the untrained level: no rescue.
        let v = verdict(
            "colour-shape",
            &colour_shape_runs(|on| if on { 0.22 } else { 0.1 }, 0.9),
        );
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(v.evidence.contains("shape learned"), "{}", v.evidence);
        // Colour above chance (0.1) but not above the untrained encoder's 0.2: the gate fails.
        let v = verdict(
            "colour-shape",
            &colour_shape_runs(|on| if on { 0.5 } else { 0.1 }, 0.22),
        );
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(v.evidence.contains("gate: colour"), "{}", v.evidence);
        // Shape never below the untrained level without jitter: nothing was suppressed.
        let v = verdict(
            "colour-shape",
            &colour_shape_runs(|on| if on { 0.5 } else { 0.2 }, 0.9),
        );
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(v.evidence.contains("suppressed"), "{}", v.evidence);
    }

    #[test]
    fn a_hierarchy_counts_only_beyond_the_untrained_encoders() {
        let jitter = |seed: usize| [0.0, 0.01, -0.01][seed];
        // (ARI vs objects, vs parts) trained and at init, at block 1 and block 3.
        let make = |init_parts_early: f32| {
            let mut results = runs("local-hierarchy", &[], |_, _| 0.0);
            for r in &mut results {
                let seed = r.seed as usize % 3;
                let early = r.values[0] == "1";
                let m = &mut r.metrics;
                let (objects, parts) = if early { (0.2, 0.5) } else { (0.5, 0.2) };
                m.ari = Some(objects + jitter(seed));
                m.ari_parts = Some(parts);
                m.ari_at_init = Some(0.2);
                m.ari_parts_at_init = Some(if early { init_parts_early } else { 0.2 });
            }
            verdict("local-hierarchy", &results)
        };
        // Trained: block 1 prefers parts by 0.3, block 3 objects by 0.3; at init no preference.
        let v = make(0.2);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
        // The untrained encoder's block 1 already prefers parts as much: not training's doing.
        let v = make(0.8);
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(v.evidence.contains("untrained"), "{}", v.evidence);
    }

    #[test]
    fn a_single_seed_never_holds() {
        let p = Preset::find("colour-shape").unwrap();
        let spec = p.sweep_spec();
        let mut one = runs("colour-shape", &["shape", "colour"], |v, _| {
            if v[0] == "0" { 0.2 } else { 0.8 }
        });
        one.retain(|r| r.seed == ExperimentConfig::default().seed);
        assert_eq!(one.len(), spec.runs());
        let v = p.verdict(&one);
        assert_eq!(v.outcome, Outcome::NotShown);
        assert!(v.evidence.contains("seed"), "{}", v.evidence);
    }
}
