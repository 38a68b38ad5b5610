//! RandBit's findings: random bits suppress a feature (the digit, or your data's label); a
//! larger batch keeps more of the digit, a wider encoder does not, and an autoencoder keeps more
//! of it than NT-Xent.

use super::{Runs, check, fall_beyond_init, learned};
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Effect, MIN_MARGIN, Verdict};

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
                MIN_MARGIN,
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
                MIN_MARGIN,
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

pub fn randbit_batch(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (small, large) = ([runs.first(0)], [runs.last(0)]);
    let checks = [check(
        format!("digit higher with batch {} than {}", large[0], small[0]),
        Effect::rise(
            runs.probe(&small, "digit"),
            runs.probe(&large, "digit"),
            MIN_MARGIN,
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
            MIN_MARGIN,
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
                MIN_MARGIN,
            ),
        ),
    ];
    Verdict::from_checks("", &checks)
}
