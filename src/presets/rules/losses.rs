//! Findings on the loss family: with a deep head every loss learns, the head raises each, and
//! the losses end closer together; and the temperature acts like an inverse of λ.

use super::{Runs, check, learned};
use crate::sweep::report::probe_value;
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Check, Effect, MIN_MARGIN, Stat, Verdict};

/// How far apart the losses end: the sample standard deviation (n − 1) of their accuracies.
/// Unlike max − min it does not hang on the one loss that learns least.
pub fn spread(accuracies: &[f32]) -> f32 {
    Stat::of(accuracies).sd
}

/// Per seed: the [`spread`] of `feature` across the first axis at second-axis value `second`
/// (seeds missing a loss are left out).
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
            (accs.len() == runs.xs().len()).then(|| spread(&accs))
        })
        .collect();
    Stat::of(&spreads)
}

/// Every loss (first axis) is learned with the deep head, the deep head raises every loss, and
/// the spread across losses shrinks from the shallowest head to the deepest.
pub fn loss_head(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (shallow, deep) = (runs.first(1), runs.last(1));
    let mut checks: Vec<Check> = runs
        .xs()
        .iter()
        .map(|loss| learned(&runs, &[loss, deep], "object"))
        .collect();
    checks.extend(runs.xs().iter().map(|loss| {
        check(
            format!("the deep head raises {loss} (head_depth {shallow} → {deep})"),
            Effect::rise(
                runs.probe(&[loss, shallow], "object"),
                runs.probe(&[loss, deep], "object"),
                MIN_MARGIN,
            ),
        )
    }));
    checks.push(check(
        format!(
            "the spread across losses (sd) shrinks from head_depth={shallow} to head_depth={deep}"
        ),
        Effect::fall(
            spread_over_first_axis(&runs, shallow, "object"),
            spread_over_first_axis(&runs, deep, "object"),
            MIN_MARGIN,
        ),
    ));
    Verdict::from_checks("", &checks)
}

/// τ and λ act inversely: raising τ acts like lowering λ. Sweep `lambda:low,high;tau:low,high`.
/// Gate: the loss is learned at the high λ and the low τ. Claim: what raising λ adds shrinks
/// at the higher τ (the interaction, judged over seeds), because there the same λ pushes the
/// embeddings apart less.
pub fn tau_lambda(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (weak, strong) = (runs.first(0), runs.last(0));
    let by_value = |v: &String| v.parse::<f32>().unwrap_or(f32::NAN);
    let taus = &spec.axes[1].values;
    let low = taus
        .iter()
        .min_by(|a, b| by_value(a).total_cmp(&by_value(b)))
        .map_or(runs.first(1), String::as_str);
    let high = taus
        .iter()
        .max_by(|a, b| by_value(a).total_cmp(&by_value(b)))
        .map_or(runs.last(1), String::as_str);
    let gain = |tau: &str| {
        runs.probe(&[strong, tau], "object")
            .minus(runs.probe(&[weak, tau], "object"))
    };
    let checks = [
        learned(&runs, &[strong, low], "object"),
        check(
            format!(
                "raising lambda {weak} → {strong} adds less at tau {high} than at tau {low} (the interaction)"
            ),
            Effect::rise(gain(high), gain(low), MIN_MARGIN),
        ),
    ];
    Verdict::from_checks("", &checks)
}
