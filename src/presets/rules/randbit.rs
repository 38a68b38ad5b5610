//! RandBit's findings: random bits suppress a feature (the digit, or your data's label) while
//! the instance task saturates, a lower temperature keeps more of it, stronger augmentation does
//! not remove the suppression, a larger batch keeps more of the digit, a wider encoder does not,
//! and an autoencoder keeps more of it than NT-Xent.

use super::{Runs, check, fall_beyond_init, learned};
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Check, Effect, MIN_MARGIN, Verdict};

/// A point of the grid: the first axis's value, and the second axis's where there is one.
fn point<'s>(x: &'s str, second: Option<&'s str>) -> Vec<&'s str> {
    let mut v = vec![x];
    v.extend(second);
    v
}

/// The second axis's values (or one `None` for a one-axis sweep).
fn seconds<'a>(runs: &Runs<'a>) -> Vec<Option<&'a str>> {
    match runs.spec.axes.get(1) {
        Some(a) => a.values.iter().map(|v| Some(v.as_str())).collect(),
        None => vec![None],
    }
}

/// Bits suppress `feature`, at every value of the second axis: it is learned without bits
/// beyond the untrained encoder (gate), falls from the fewest to the most bits, and falls by
/// more than the untrained encoder's probe does on the same data.
fn bits_suppress(runs: &Runs, feature: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    for s in seconds(runs) {
        let (few, many) = (point(runs.first(0), s), point(runs.last(0), s));
        let label = s.map_or(String::new(), |v| {
            format!(" ({}={v})", runs.spec.axes[1].key)
        });
        let mut gate = learned(runs, &few, feature);
        gate.what = format!(
            "gate: {feature} learned with {} bits{label} (offline, init → trained)",
            runs.first(0)
        );
        checks.push(gate);
        checks.push(check(
            format!(
                "{feature} falls from {} to {} bits{label}",
                runs.first(0),
                runs.last(0)
            ),
            Effect::fall(
                runs.probe(&few, feature),
                runs.probe(&many, feature),
                MIN_MARGIN,
            ),
        ));
        let span = format!("{} to {} bits{label}", runs.first(0), runs.last(0));
        checks.push(fall_beyond_init(runs, &few, &many, feature, &span));
    }
    checks
}

/// The instance task saturates while the feature falls: contrastive top-1 accuracy rises from
/// the fewest to the most bits (the bits alone tell the images apart), at every value of the
/// second axis.
fn task_saturates(runs: &Runs) -> Vec<Check> {
    seconds(runs)
        .into_iter()
        .map(|s| {
            let label = s.map_or(String::new(), |v| {
                format!(" ({}={v})", runs.spec.axes[1].key)
            });
            check(
                format!(
                    "the instance task saturates: contrastive accuracy rises from {} to {} bits{label}",
                    runs.first(0),
                    runs.last(0)
                ),
                Effect::rise(
                    runs.contrastive(&point(runs.first(0), s)),
                    runs.contrastive(&point(runs.last(0), s)),
                    MIN_MARGIN,
                ),
            )
        })
        .collect()
}

/// A lower temperature keeps more of the digit where the bits only partly suppress it: at the
/// first bit count above the fewest, the lowest τ of the second axis beats the highest.
fn lower_tau_keeps_more(runs: &Runs, feature: &str) -> Option<Check> {
    let axis = runs.spec.axes.get(1).filter(|a| a.key == "tau")?;
    let bits = runs.xs().get(1)?;
    let by_tau = |v: &String| v.parse::<f32>().unwrap_or(f32::NAN);
    let low = axis
        .values
        .iter()
        .min_by(|a, b| by_tau(a).total_cmp(&by_tau(b)))?;
    let high = axis
        .values
        .iter()
        .max_by(|a, b| by_tau(a).total_cmp(&by_tau(b)))?;
    Some(check(
        format!(
            "with {bits} bits a lower temperature keeps more of the {feature} (tau {high} → {low})"
        ),
        Effect::rise(
            runs.probe(&[bits, high], feature),
            runs.probe(&[bits, low], feature),
            MIN_MARGIN,
        ),
    ))
}

pub fn randbit(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let mut checks = bits_suppress(&runs, "digit");
    checks.extend(task_saturates(&runs));
    checks.extend(lower_tau_keeps_more(&runs, "digit"));
    Verdict::from_checks("", &checks)
}

pub fn your_data(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let mut checks = bits_suppress(&runs, "label");
    checks.extend(task_saturates(&runs));
    Verdict::from_checks("", &checks)
}

/// The negative control: with stronger crops and colour jitter (every value of the second
/// axis), the bits still suppress the digit, beyond the untrained encoder.
pub fn randbit_augment(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    Verdict::from_checks("", &bits_suppress(&Runs::new(spec, results), "digit"))
}

pub fn randbit_batch(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (small, large) = ([runs.first(0)], [runs.last(0)]);
    let checks = [
        // The bits must leave something to keep: the digit above chance at the small batch.
        above_chance(&runs, &small, "digit", "batch"),
        check(
            format!("digit higher with batch {} than {}", large[0], small[0]),
            Effect::rise(
                runs.probe(&small, "digit"),
                runs.probe(&large, "digit"),
                MIN_MARGIN,
            ),
        ),
    ];
    Verdict::from_checks("", &checks)
}

/// A null claim, judged only off the floor (the feature above chance at both widths), where
/// training adds to the digit at both widths (beyond the untrained encoder), and on what
/// training adds: a wider encoder's random features already read more of the digit, so the
/// claim is that training keeps no more of it beyond the untrained encoder in the wider net
/// than in the narrow one.
pub fn randbit_width(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (narrow, wide) = ([runs.first(0)], [runs.last(0)]);
    let kept = |at: &[&str]| runs.training_adds(at, "digit");
    let checks = [
        above_chance(&runs, &narrow, "digit", "width"),
        above_chance(&runs, &wide, "digit", "width"),
        learned(&runs, &narrow, "digit"),
        learned(&runs, &wide, "digit"),
        check(
            format!(
                "training keeps no more of the digit at width {} than at width {} (trained − untrained, offline)",
                wide[0], narrow[0]
            ),
            Effect::no_rise(kept(&narrow), kept(&wide), MIN_MARGIN),
        ),
    ];
    Verdict::from_checks("", &checks)
}

/// "Off the floor": the sweep's probe of `feature` above chance by the margin at `values`.
fn above_chance(runs: &Runs, values: &[&str], feature: &str, key: &str) -> Check {
    check(
        format!(
            "gate: {feature} above chance at {key} {} (not at the floor)",
            values.join(" ")
        ),
        Effect::rise(
            runs.chance(values, feature),
            runs.probe(values, feature),
            MIN_MARGIN,
        ),
    )
}

/// The autoencoder learns the digit without bits (beyond the untrained encoder); with bits it
/// keeps more of it than NT-Xent, and still learns it beyond its own untrained encoder (each
/// run against itself at initialisation), where the bits stop NT-Xent from learning it.
pub fn randbit_autoencoder(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let bits = runs.last(0);
    let (ae, ntxent) = ([bits, "autoencoder"], [bits, "contrastive"]);
    let checks = [
        learned(&runs, &[runs.first(0), "autoencoder"], "digit"),
        check(
            format!("with {bits} bits the autoencoder keeps more of the digit than NT-Xent"),
            Effect::rise(
                runs.probe(&ntxent, "digit"),
                runs.probe(&ae, "digit"),
                MIN_MARGIN,
            ),
        ),
        check(
            format!(
                "with {bits} bits the autoencoder still learns the digit (offline, init → trained)"
            ),
            Effect::rise(
                runs.at_init(&ae, "digit"),
                runs.offline(&ae, "digit"),
                MIN_MARGIN,
            )
            .paired(runs.training_adds(&ae, "digit")),
        ),
    ];
    Verdict::from_checks("", &checks)
}
