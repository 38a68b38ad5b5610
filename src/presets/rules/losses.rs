//! Findings on the loss family: a deeper head evens out the losses, and every loss learns the
//! objects.

use super::{Runs, check, learned};
use crate::sweep::report::probe_value;
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Check, Effect, MIN_MARGIN, Stat, Verdict};

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
            MIN_MARGIN,
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
