//! Presets: one per finding of the paper (docs/science.md), each a link, a sweep, what to look
//! for, and the direction the finding predicts, checked on the sweep's results.

use crate::params::ExperimentConfig;
use crate::record::FinalMetrics;
use crate::sweep::{Metric, SweepResult, SweepSpec};
use crate::url::decode;

/// A finding, ready to run.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// `--preset NAME` and the page menu's value.
    pub name: &'static str,
    pub title: &'static str,
    /// The experiment, as link text (defaults elsewhere).
    pub config: &'static str,
    /// The sweep, as `sweep=` text.
    pub sweep: &'static str,
    pub effect: Metric,
    /// What to look for, shown under the menu and written into the report.
    pub look_for: &'static str,
    /// Needs the user's own MNIST/CIFAR file (`base=file`).
    pub needs_file: bool,
    check: fn(&SweepSpec, &[SweepResult]) -> Vec<Check>,
}

/// One claim of a finding and whether the runs bear it out.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub claim: String,
    pub holds: bool,
    /// The numbers behind the verdict.
    pub evidence: String,
}

/// Every preset, in the order the page lists them.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "randbit",
        title: "RandBit: a few shared random bits suppress the digit",
        config: "data=randbit&base=digits&bits=5",
        sweep: "bits:0,5,10,20;tau:0.05,0.5",
        effect: Metric::Offline,
        look_for: "Digit accuracy falls as bits are added and sits near chance from 10-15 bits, \
                   while contrastive accuracy saturates: the bits alone solve the instance task. \
                   The lower temperature keeps a little more of the digit.",
        needs_file: false,
        check: check_randbit,
    },
    Preset {
        name: "digit-on-objects",
        title: "DigitOnObjects: more unique digits, digit up, object down",
        config: "data=digit_on_objects&base=objects&unique_digits=100",
        sweep: "unique_digits:10,100,1000,10000",
        effect: Metric::Offline,
        look_for: "With few unique digits the pasted digit is one of a handful of images, easy to \
                   tell apart yet shared by many objects; with many unique digits it becomes an \
                   instance-level feature the views share. The paper: digit accuracy rises and \
                   object (background) accuracy falls as unique digits grow.",
        needs_file: false,
        check: check_digit_on_objects,
    },
    Preset {
        name: "multidigits",
        title: "MultiDigits: a growing digit suppresses the small one",
        config: "data=multidigits&canvas=32&small_digit=0.45&crop_min=0.5",
        sweep: "digit_size:0.3,0.45,0.6,0.75",
        effect: Metric::Offline,
        look_for: "As the varying digit grows, the fixed small digit's accuracy falls toward \
                   chance while the large digit stays learned.",
        needs_file: false,
        check: check_multidigits,
    },
    Preset {
        name: "colour-shape",
        title: "Colour vs shape: colour jitter rescues the shape",
        config: "data=colour_shape",
        sweep: "colour_jitter:0,0.8",
        effect: Metric::Offline,
        look_for: "Without colour jitter both views share the image's colour, colour is learned \
                   and shape is suppressed; with jitter the colour shortcut breaks and the shape \
                   probe recovers.",
        needs_file: false,
        check: check_colour_shape,
    },
    Preset {
        name: "loss-head",
        title: "Loss family x projection-head depth",
        config: "data=objects",
        sweep: "loss:ntxent,logsumexp,swd_sphere,align_uniform;head_depth:0,3",
        effect: Metric::Offline,
        look_for: "With a 3-layer head the loss variants end within a few points of each other; \
                   with no head they spread more.",
        needs_file: false,
        check: check_loss_head,
    },
    Preset {
        name: "local-features",
        title: "Local features from a global loss",
        config: "data=scenes&canvas=32",
        sweep: "seed:0,1",
        effect: Metric::Ari,
        look_for: "K-means on a block's feature map groups pixels by object: trained encoders \
                   score a higher ARI against the true masks than at initialisation (dashed), \
                   for each of two seeds. The local-features panel shows every block: earlier \
                   blocks give finer groups.",
        needs_file: false,
        check: check_local_features,
    },
    Preset {
        name: "your-data",
        title: "RandBit on your own data",
        config: "data=randbit&base=file&bits=5",
        sweep: "bits:0,5,10,20",
        effect: Metric::Offline,
        look_for: "Drop an MNIST IDX pair or CIFAR-10 .bin first. The label accuracy of your own \
                   images falls as random bits are added.",
        needs_file: true,
        check: check_your_data,
    },
];

impl Preset {
    pub fn find(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }

    /// Names for error messages.
    pub fn names() -> String {
        PRESETS
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn experiment(&self) -> ExperimentConfig {
        let d = decode(self.config);
        debug_assert!(d.warnings.is_empty(), "{}: {:?}", self.name, d.warnings);
        d.config
    }

    pub fn sweep_spec(&self) -> SweepSpec {
        SweepSpec::parse(self.sweep, self.effect).expect("preset sweeps are valid")
    }

    /// The finding's claims, judged on the sweep's results.
    pub fn check(&self, results: &[SweepResult]) -> Vec<Check> {
        (self.check)(&self.sweep_spec(), results)
    }
}

fn offline(m: &FinalMetrics, feature: &str) -> f32 {
    m.probes
        .get(feature)
        .map_or(f32::NAN, |p| p.offline_test_acc)
}

fn chance(m: &FinalMetrics, feature: &str) -> f32 {
    m.probes.get(feature).map_or(f32::NAN, |p| p.chance)
}

/// The results whose `axis`-th value is `value`, in sweep order.
fn slice<'a>(
    results: &'a [SweepResult],
    axis: usize,
    value: &str,
) -> impl Iterator<Item = &'a SweepResult> {
    results
        .iter()
        .filter(move |r| r.values.get(axis).map(String::as_str) == Some(value))
}

fn list(values: &[f32]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.3}"))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Falls from first to last, never rising by more than `slack` on the way.
fn falls(values: &[f32], slack: f32) -> bool {
    values.len() >= 2
        && values.last() < values.first()
        && values.windows(2).all(|w| w[1] <= w[0] + slack)
}

fn bits_fall(spec: &SweepSpec, results: &[SweepResult], feature: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    let taus: Vec<Option<&String>> = match spec.axes.get(1) {
        Some(a) => a.values.iter().map(Some).collect(),
        None => vec![None],
    };
    let mut means = Vec::new();
    for tau in &taus {
        let rows: Vec<&SweepResult> = results.iter().filter(|r| r.values.get(1) == *tau).collect();
        let acc: Vec<f32> = rows.iter().map(|r| offline(&r.metrics, feature)).collect();
        let Some(last) = rows.last() else { continue };
        let c = chance(&last.metrics, feature);
        let label = tau.map_or(String::new(), |t| format!(" (tau={t})"));
        checks.push(Check {
            claim: format!("{feature} accuracy falls as bits are added{label}"),
            holds: falls(&acc, 0.03),
            evidence: format!("bits {}: {}", spec.axes[0].values.join(","), list(&acc)),
        });
        checks.push(Check {
            claim: format!("{feature} accuracy is near chance at the most bits{label}"),
            holds: *acc.last().unwrap_or(&1.0) <= c + 0.1,
            evidence: format!("{:.3} vs chance {c:.3}", acc.last().unwrap_or(&f32::NAN)),
        });
        means.push(acc.iter().skip(1).sum::<f32>() / (acc.len().max(2) - 1) as f32);
    }
    if taus.len() > 1 && means.len() == taus.len() {
        checks.push(Check {
            claim: "the lowest tau keeps more of the feature with bits (mean over bits > 0)".into(),
            holds: means[0] > *means.last().unwrap(),
            evidence: taus
                .iter()
                .zip(&means)
                .map(|(t, m)| format!("tau={}: {m:.3}", t.unwrap()))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    checks
}

fn check_randbit(spec: &SweepSpec, results: &[SweepResult]) -> Vec<Check> {
    bits_fall(spec, results, "digit")
}

fn check_your_data(spec: &SweepSpec, results: &[SweepResult]) -> Vec<Check> {
    bits_fall(spec, results, "label")
}

fn check_digit_on_objects(_: &SweepSpec, results: &[SweepResult]) -> Vec<Check> {
    let digit: Vec<f32> = results
        .iter()
        .map(|r| offline(&r.metrics, "digit"))
        .collect();
    // Synthetic backgrounds are probed as "object", a user's images as "background".
    let name = match results.first() {
        Some(r) if r.metrics.probes.contains_key("background") => "background",
        _ => "object",
    };
    let object: Vec<f32> = results.iter().map(|r| offline(&r.metrics, name)).collect();
    vec![
        Check {
            claim: "more unique digits: digit accuracy rises".into(),
            holds: digit.last() > digit.first(),
            evidence: list(&digit),
        },
        Check {
            claim: "more unique digits: object accuracy falls".into(),
            holds: object.last() < object.first(),
            evidence: list(&object),
        },
    ]
}

fn check_multidigits(_: &SweepSpec, results: &[SweepResult]) -> Vec<Check> {
    let small: Vec<f32> = results
        .iter()
        .map(|r| offline(&r.metrics, "fixed_digit"))
        .collect();
    let large: Vec<f32> = results
        .iter()
        .map(|r| offline(&r.metrics, "varying_digit"))
        .collect();
    let c = results
        .first()
        .map_or(f32::NAN, |r| chance(&r.metrics, "varying_digit"));
    vec![
        Check {
            claim: "as the other digit grows, the small digit's accuracy falls".into(),
            holds: small.last() < small.first(),
            evidence: list(&small),
        },
        Check {
            claim: "the growing digit stays learned (well above chance at its largest)".into(),
            holds: large.last().is_some_and(|&l| l > c + 0.3),
            evidence: format!("{} (chance {c:.3})", list(&large)),
        },
    ]
}

fn check_colour_shape(spec: &SweepSpec, results: &[SweepResult]) -> Vec<Check> {
    let at = |v: &str| slice(results, 0, v).next().map(|r| &r.metrics);
    let values = &spec.axes[0].values;
    let (Some(off), Some(on)) = (at(&values[0]), at(values.last().unwrap())) else {
        return Vec::new();
    };
    let (s0, s1, c) = (
        offline(off, "shape"),
        offline(on, "shape"),
        chance(off, "shape"),
    );
    let (colour0, colour_chance) = (offline(off, "colour"), chance(off, "colour"));
    vec![
        Check {
            claim: "without colour jitter the shape probe collapses toward chance \
                    (≤ chance + 0.15) while colour is learned"
                .into(),
            holds: s0 <= c + 0.15 && colour0 - colour_chance > s0 - c,
            evidence: format!(
                "shape {s0:.3} (chance {c:.3}), colour {colour0:.3} (chance {colour_chance:.3})"
            ),
        },
        Check {
            claim: "colour jitter restores the shape probe".into(),
            holds: s1 > s0,
            evidence: format!("shape {s0:.3} → {s1:.3} with jitter"),
        },
    ]
}

fn check_loss_head(spec: &SweepSpec, results: &[SweepResult]) -> Vec<Check> {
    let depths = &spec.axes[1].values;
    let spread = |depth: &str| {
        let acc: Vec<f32> = slice(results, 1, depth)
            .map(|r| offline(&r.metrics, "object"))
            .collect();
        let max = acc.iter().copied().fold(f32::MIN, f32::max);
        let min = acc.iter().copied().fold(f32::MAX, f32::min);
        (max - min, acc)
    };
    let (shallow, shallow_acc) = spread(&depths[0]);
    let (deep, deep_acc) = spread(depths.last().unwrap());
    vec![
        Check {
            claim: format!(
                "with head_depth={} the losses end within a few points (spread ≤ 0.05)",
                depths.last().unwrap()
            ),
            holds: deep <= 0.05,
            evidence: format!("spread {deep:.3} over {}", list(&deep_acc)),
        },
        Check {
            claim: format!(
                "with head_depth={} they spread more than with head_depth={}",
                depths[0],
                depths.last().unwrap()
            ),
            holds: shallow > deep,
            evidence: format!("spread {shallow:.3} over {}", list(&shallow_acc)),
        },
    ]
}

fn check_local_features(spec: &SweepSpec, results: &[SweepResult]) -> Vec<Check> {
    results
        .iter()
        .filter_map(|r| {
            let (trained, init) = (r.metrics.ari?, r.metrics.ari_at_init?);
            Some(Check {
                claim: format!(
                    "{}: trained ARI is higher than at initialisation",
                    spec.label(&r.values)
                ),
                holds: trained > init,
                evidence: format!("{init:.3} at init → {trained:.3} trained"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::FinalProbe;
    use std::collections::BTreeMap;

    #[test]
    fn every_preset_decodes_cleanly_and_its_sweep_is_valid() {
        for p in PRESETS {
            let d = decode(p.config);
            assert!(d.warnings.is_empty(), "{}: {:?}", p.name, d.warnings);
            let spec = p.sweep_spec();
            assert!(spec.runs() <= crate::sweep::MAX_RUNS);
            assert_eq!(
                p.experiment().base == crate::params::BaseKind::File,
                p.needs_file
            );
            assert_eq!(Preset::find(p.name).map(|f| f.name), Some(p.name));
        }
        assert!(Preset::find("nope").is_none());
    }

    fn result(values: &[&str], features: &[(&str, f32)]) -> SweepResult {
        let probes: BTreeMap<String, FinalProbe> = features
            .iter()
            .map(|&(n, a)| {
                (
                    n.to_string(),
                    FinalProbe {
                        online_test_acc: a,
                        offline_test_acc: a,
                        knn_acc: a,
                        chance: 0.1,
                        online_train_acc: a,
                    },
                )
            })
            .collect();
        SweepResult {
            values: values.iter().map(|s| s.to_string()).collect(),
            config: String::new(),
            fingerprint: String::new(),
            metrics: FinalMetrics {
                probes,
                ..FinalMetrics::default()
            },
        }
    }

    #[test]
    fn randbit_checks_judge_the_numbers_both_ways() {
        let p = Preset::find("randbit").unwrap();
        let spec = p.sweep_spec();
        let make = |acc: &dyn Fn(usize, usize) -> f32| -> Vec<SweepResult> {
            spec.points(&p.experiment())
                .iter()
                .enumerate()
                .map(|(i, pt)| {
                    let v: Vec<&str> = pt.values.iter().map(String::as_str).collect();
                    result(&v, &[("digit", acc(i / 2, i % 2))])
                })
                .collect()
        };
        // Falls to chance, the low tau a little higher: every claim holds.
        let good = make(&|b, t| [0.9, 0.4, 0.15, 0.12, 0.1][b] + if t == 0 { 0.02 } else { 0.0 });
        assert!(
            p.check(&good).iter().all(|c| c.holds),
            "{:?}",
            p.check(&good)
        );
        // Flat at 0.9: nothing holds.
        let flat = make(&|_, _| 0.9);
        assert!(
            p.check(&flat).iter().all(|c| !c.holds),
            "{:?}",
            p.check(&flat)
        );
    }

    #[test]
    fn loss_head_check_compares_spreads() {
        let p = Preset::find("loss-head").unwrap();
        let spec = p.sweep_spec();
        let results: Vec<SweepResult> = spec
            .points(&p.experiment())
            .iter()
            .enumerate()
            .map(|(i, pt)| {
                let v: Vec<&str> = pt.values.iter().map(String::as_str).collect();
                let acc = if i % 2 == 0 {
                    0.5 + 0.05 * i as f32
                } else {
                    0.9
                };
                result(&v, &[("object", acc)])
            })
            .collect();
        let checks = p.check(&results);
        assert!(checks.iter().all(|c| c.holds), "{checks:?}");
    }
}
