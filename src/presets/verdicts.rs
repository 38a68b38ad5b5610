//! Each finding's verdict, computed from a preset sweep's runs (docs/science.md, "Verdicts"):
//! a gate that says the feature was learnable at all, then the predicted effect, each judged
//! over seeds with its margin.

use crate::record::FinalMetrics;
use crate::sweep::report::probe_value;
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Check, Effect, Stat, Verdict};

/// The least effect any finding here claims (the rule's floor).
const MARGIN: f32 = 0.05;

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
            MARGIN,
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
            MARGIN,
        ),
    )
}

/// Bits suppress `feature`: above chance without bits (gate), then a fall from the fewest to
/// the most bits at every value of the second axis, beyond the untrained encoder's.
fn bits_suppress<'a>(runs: &Runs<'a>, feature: &str) -> Verdict {
    let seconds: Vec<Option<&str>> = match runs.spec.axes.get(1) {
        Some(a) => a.values.iter().map(|v| Some(v.as_str())).collect(),
        None => vec![None],
    };
    let mut checks = Vec::new();
    for s in &seconds {
        fn point<'s>(x: &'s str, s: Option<&'s str>) -> Vec<&'s str> {
            let mut v = vec![x];
            v.extend(s);
            v
        }
        let point = |x: &'a str| point(x, *s);
        let (few, many) = (point(runs.first(0)), point(runs.last(0)));
        let label = s.map_or(String::new(), |v| {
            format!(" ({}={v})", runs.spec.axes[1].key)
        });
        checks.push(check(
            format!(
                "gate: {feature} above chance with {} bits{label}",
                runs.first(0)
            ),
            Effect::rise(
                runs.chance(&few, feature),
                runs.probe(&few, feature),
                MARGIN,
            ),
        ));
        checks.push(check(
            format!(
                "{feature} falls from {} to {} bits{label}",
                runs.first(0),
                runs.last(0)
            ),
            Effect::fall(
                runs.probe(&few, feature),
                runs.probe(&many, feature),
                MARGIN,
            ),
        ));
        let span = format!("{} to {} bits{label}", runs.first(0), runs.last(0));
        checks.push(fall_beyond_init(runs, &few, &many, feature, &span));
    }
    Verdict::from_checks("", &checks)
}

pub fn randbit(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    bits_suppress(&Runs::new(spec, results), "digit")
}

pub fn your_data(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    bits_suppress(&Runs::new(spec, results), "label")
}

pub fn digit_on_objects(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (few, many) = (runs.first(0), runs.last(0));
    let c = |n: &str| vec![n.to_string(), "contrastive".to_string()];
    let s = |n: &str| vec![n.to_string(), "supervised".to_string()];
    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let (c_few, c_many, s_few, s_many) = (c(few), c(many), s(few), s(many));
    let object_drop = |a: &[String], b: &[String]| {
        runs.offline(&refs(a), "object")
            .minus(runs.offline(&refs(b), "object"))
    };
    let checks = [
        learned(&runs, &refs(&c_many), "digit"),
        check(
            format!("held-out digit rises from N={few} to N={many} (contrastive)"),
            Effect::rise(
                runs.offline(&refs(&c_few), "digit"),
                runs.offline(&refs(&c_many), "digit"),
                MARGIN,
            ),
        ),
        check(
            format!("object falls from N={few} to N={many} (contrastive)"),
            Effect::fall(
                runs.offline(&refs(&c_few), "object"),
                runs.offline(&refs(&c_many), "object"),
                MARGIN,
            ),
        ),
        check(
            "the object's fall is the contrastive loss's, not the data's: it exceeds the \
             supervised control's fall",
            Effect::rise(
                object_drop(&s_few, &s_many),
                object_drop(&c_few, &c_many),
                MARGIN,
            ),
        ),
    ];
    Verdict::from_checks("", &checks)
}

pub fn multidigits(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (equal, large) = ([runs.first(0)], [runs.last(0)]);
    let checks = [
        learned(&runs, &equal, "fixed_digit"),
        check(
            format!(
                "fixed digit falls as the other grows ({} → {} of the canvas)",
                equal[0], large[0]
            ),
            Effect::fall(
                runs.probe(&equal, "fixed_digit"),
                runs.probe(&large, "fixed_digit"),
                MARGIN,
            ),
        ),
        fall_beyond_init(
            &runs,
            &equal,
            &large,
            "fixed_digit",
            &format!("{} to {} of the canvas", equal[0], large[0]),
        ),
        check(
            "the growing digit stays learned (above chance at its largest)",
            Effect::rise(
                runs.chance(&large, "varying_digit"),
                runs.probe(&large, "varying_digit"),
                MARGIN,
            ),
        ),
    ];
    Verdict::from_checks("", &checks)
}

pub fn colour_shape(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (off, on) = ([runs.first(0)], [runs.last(0)]);
    let checks = [
        check(
            "gate: colour learned without jitter (above chance)",
            Effect::rise(
                runs.chance(&off, "colour"),
                runs.probe(&off, "colour"),
                MARGIN,
            ),
        ),
        check(
            format!("shape rises with colour jitter ({} → {})", off[0], on[0]),
            Effect::rise(runs.probe(&off, "shape"), runs.probe(&on, "shape"), MARGIN),
        ),
    ];
    Verdict::from_checks("", &checks)
}

/// Per seed: the spread (max − min) of `feature` across the first axis at second-axis value
/// `second`.
fn spread_over_first_axis(runs: &Runs, second: &str, feature: &str) -> Stat {
    let seeds: std::collections::BTreeSet<u64> = runs.results.iter().map(|r| r.seed).collect();
    let metric = runs.spec.effect;
    let spreads: Vec<f32> = seeds
        .iter()
        .filter_map(|&seed| {
            let accs: Vec<f32> = runs
                .xs()
                .iter()
                .filter_map(|x| {
                    runs.results
                        .iter()
                        .find(|r| {
                            r.failed.is_none()
                                && r.seed == seed
                                && r.values.first() == Some(x)
                                && r.values.get(1).map(String::as_str) == Some(second)
                        })
                        .and_then(|r| r.metrics.probes.get(feature))
                        .map(|p| probe_value(metric, p))
                })
                .collect();
            (accs.len() == runs.xs().len()).then(|| {
                accs.iter().copied().fold(f32::MIN, f32::max)
                    - accs.iter().copied().fold(f32::MAX, f32::min)
            })
        })
        .collect();
    Stat::of(&spreads)
}

pub fn loss_head(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (shallow, deep) = (runs.first(1), runs.last(1));
    let checks = [check(
        format!("the spread across losses shrinks from head_depth={shallow} to head_depth={deep}"),
        Effect::fall(
            spread_over_first_axis(&runs, shallow, "object"),
            spread_over_first_axis(&runs, deep, "object"),
            MARGIN,
        ),
    )];
    Verdict::from_checks("", &checks)
}

pub fn loss_lambda(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let default = spec.axes[0]
        .values
        .iter()
        .find(|v| v.parse::<f32>().ok() == Some(1.0))
        .map_or(runs.first(0), String::as_str);
    let checks: Vec<Check> = spec.axes[1]
        .values
        .iter()
        .map(|loss| learned(&runs, &[default, loss], "object"))
        .collect();
    Verdict::from_checks("", &checks)
}

pub fn local_features(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let mut checks = Vec::new();
    for x in runs.xs() {
        let at = [x.as_str()];
        let trained = runs.stat(&at, |m| m.ari);
        checks.push(check(
            format!("{x}: trained ARI above the same encoder at initialisation"),
            Effect::rise(runs.stat(&at, |m| m.ari_at_init), trained, MARGIN),
        ));
        checks.push(check(
            format!("{x}: trained ARI above K-means on the raw pixels"),
            Effect::rise(runs.stat(&at, |m| m.ari_pixels), trained, MARGIN),
        ));
    }
    Verdict::from_checks("", &checks)
}

/// Hierarchy: the first block's clusters follow the objects' parts more (relative to the
/// objects) than the last block's do, beyond what the untrained encoder's blocks already show,
/// once the last block has learned to group objects at all.
pub fn local_hierarchy(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (early, late) = ([runs.first(0)], [runs.last(0)]);
    // How much more a block's clusters match the parts than the whole objects.
    let finer = |at: &[&str], init: bool| {
        runs.stat(at, |m| match init {
            false => Some(m.ari_parts? - m.ari?),
            true => Some(m.ari_parts_at_init? - m.ari_at_init?),
        })
    };
    let checks = [
        check(
            format!(
                "gate: block {} groups objects (ARI, init → trained)",
                late[0]
            ),
            Effect::rise(
                runs.stat(&late, |m| m.ari_at_init),
                runs.stat(&late, |m| m.ari),
                MARGIN,
            ),
        ),
        check(
            format!(
                "block {} follows parts more than block {} (ARI vs parts minus ARI vs objects)",
                early[0], late[0]
            ),
            Effect::rise(finer(&late, false), finer(&early, false), MARGIN),
        ),
        check(
            "the hierarchy is training's: that difference exceeds the untrained encoder's",
            Effect::rise(
                finer(&early, true).minus(finer(&late, true)),
                finer(&early, false).minus(finer(&late, false)),
                MARGIN,
            ),
        ),
    ];
    Verdict::from_checks("", &checks)
}

pub fn randbit_batch(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (small, large) = ([runs.first(0)], [runs.last(0)]);
    let checks = [check(
        format!("digit higher with batch {} than {}", large[0], small[0]),
        Effect::rise(
            runs.probe(&small, "digit"),
            runs.probe(&large, "digit"),
            MARGIN,
        ),
    )];
    Verdict::from_checks("", &checks)
}

pub fn randbit_width(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (narrow, wide) = ([runs.first(0)], [runs.last(0)]);
    let checks = [check(
        format!(
            "digit not higher at width {} than at width {}",
            wide[0], narrow[0]
        ),
        Effect::no_rise(
            runs.probe(&narrow, "digit"),
            runs.probe(&wide, "digit"),
            MARGIN,
        ),
    )];
    Verdict::from_checks("", &checks)
}

pub fn randbit_autoencoder(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let bits = runs.last(0);
    let checks = [
        learned(&runs, &[runs.first(0), "autoencoder"], "digit"),
        check(
            format!("with {bits} bits the autoencoder keeps more of the digit than NT-Xent"),
            Effect::rise(
                runs.probe(&[bits, "contrastive"], "digit"),
                runs.probe(&[bits, "autoencoder"], "digit"),
                MARGIN,
            ),
        ),
    ];
    Verdict::from_checks("", &checks)
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

    #[test]
    fn multidigits_needs_its_gate() {
        // The fixed digit falls, but was never learned (trained = init = 0.2 at equal size).
        let unlearned = runs("multidigits", &["fixed_digit", "varying_digit"], |v, _| {
            if v[0] == "0.21" { 0.2 } else { 0.12 }
        });
        let v = verdict("multidigits", &unlearned);
        assert_eq!(v.outcome, Outcome::NotShown);
        assert!(v.evidence.contains("gate"), "{}", v.evidence);
    }

    #[test]
    fn a_fall_the_untrained_encoder_shows_too_is_the_datas() {
        let jitter = |seed: usize| [0.0, 0.01, -0.01][seed];
        // Learned at equal size (0.5 against 0.2 at init), falls to 0.3 as the other grows.
        let mut results = runs("multidigits", &["fixed_digit", "varying_digit"], |v, s| {
            (if v[0] == "0.21" { 0.5 } else { 0.3 }) + jitter(s)
        });
        let v = verdict("multidigits", &results);
        assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
        // The same trained numbers, but the untrained encoder's probe falls by as much (0.2 →
        // 0.02): the data, not the loss, made the digit harder to read.
        for r in results.iter_mut().filter(|r| r.values[0] != "0.21") {
            for p in r.metrics.probes.values_mut() {
                p.offline_at_init = 0.02;
            }
        }
        let v = verdict("multidigits", &results);
        assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
        assert!(v.evidence.contains("untrained"), "{}", v.evidence);
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
