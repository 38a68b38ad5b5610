//! How a finding is judged from runs over several seeds (docs/science.md, "Verdicts"): every
//! point is a mean ± sd over seeds, and an effect counts only when it exceeds its margin — at
//! least the finding's stated minimum (never below 0.05) and at least twice the pooled seed
//! spread. Otherwise the finding is "not shown at this scale", with the numbers. Two numbers of
//! the same runs (a trained encoder and itself at initialisation) are paired: their effect's
//! spread comes from the per-seed differences.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The smallest margin any finding may state.
pub const MIN_MARGIN: f32 = 0.05;

/// A metric over seeds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub mean: f32,
    /// Sample standard deviation (n − 1); 0 for one seed.
    pub sd: f32,
    pub n: usize,
}

impl Stat {
    /// The mean and spread of `values` (NaN-free; an empty slice gives NaN with n = 0).
    pub fn of(values: &[f32]) -> Stat {
        let n = values.len();
        if n == 0 {
            return Stat {
                mean: f32::NAN,
                sd: f32::NAN,
                n,
            };
        }
        let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
        let var = if n > 1 {
            values
                .iter()
                .map(|&v| (v as f64 - mean).powi(2))
                .sum::<f64>()
                / (n - 1) as f64
        } else {
            0.0
        };
        Stat {
            mean: mean as f32,
            sd: var.sqrt() as f32,
            n,
        }
    }
}

impl fmt::Display for Stat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.n > 1 {
            write!(f, "{:.3} ± {:.3}", self.mean, self.sd)
        } else {
            write!(f, "{:.3}", self.mean)
        }
    }
}

impl Stat {
    /// The difference `self − other` of two independent points (spreads add in quadrature).
    pub fn minus(self, other: Stat) -> Stat {
        Stat {
            mean: self.mean - other.mean,
            sd: (self.sd * self.sd + other.sd * other.sd).sqrt(),
            n: self.n.min(other.n),
        }
    }
}

/// The pooled seed spread of two points.
pub fn pooled_sd(a: Stat, b: Stat) -> f32 {
    ((a.sd * a.sd + b.sd * b.sd) / 2.0).sqrt()
}

/// What the runs say about a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The effect exceeds its margin in the predicted direction.
    Holds,
    /// Not shown at this scale: too small, the wrong way, too few seeds, or a gate failed.
    NotShown,
}

/// What a finding predicts about `from → to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Rises by more than the margin.
    Up,
    /// Falls by more than the margin.
    Down,
    /// Does not rise by as much as the margin, even allowing twice the pooled spread
    /// ("a bigger model does not help").
    NoRise,
}

/// An effect `from → to` in a predicted direction, judged against `min_margin`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effect {
    pub from: Stat,
    pub to: Stat,
    pub direction: Direction,
    /// The finding's stated minimum; raised to [`MIN_MARGIN`] if lower.
    pub min_margin: f32,
    /// Where `from` and `to` are two numbers of the same runs: the per-seed differences
    /// `to − from`. Their spread then replaces the pooled spread of the two points (see
    /// [`Effect::spread`]).
    pub paired: Option<Stat>,
}

impl Effect {
    pub fn rise(from: Stat, to: Stat, min_margin: f32) -> Self {
        Self {
            from,
            to,
            direction: Direction::Up,
            min_margin,
            paired: None,
        }
    }

    pub fn fall(from: Stat, to: Stat, min_margin: f32) -> Self {
        Self {
            from,
            to,
            direction: Direction::Down,
            min_margin,
            paired: None,
        }
    }

    pub fn no_rise(from: Stat, to: Stat, min_margin: f32) -> Self {
        Self {
            from,
            to,
            direction: Direction::NoRise,
            min_margin,
            paired: None,
        }
    }

    /// The same effect judged on the per-seed differences `to − from` of one set of runs
    /// (e.g. each trained encoder against itself at initialisation: same data, same start).
    pub fn paired(self, differences: Stat) -> Self {
        Self {
            paired: Some(differences),
            ..self
        }
    }

    /// The seed spread the margin allows for: the pooled spread of the two points, or where
    /// the effect is paired, the per-seed differences' spread over √2 — what the pooled spread
    /// is when the two points are independent — so that pairing moves a margin only by the
    /// correlation the runs show.
    pub fn spread(&self) -> f32 {
        match self.paired {
            Some(d) => d.sd / std::f32::consts::SQRT_2,
            None => pooled_sd(self.from, self.to),
        }
    }

    /// The change from `from` to `to`: the mean per-seed difference where paired.
    fn change(&self) -> f32 {
        match self.paired {
            Some(p) => p.mean,
            None => self.to.mean - self.from.mean,
        }
    }

    /// The change in the predicted direction (positive when it goes the predicted way).
    pub fn size(&self) -> f32 {
        let d = self.change();
        if self.direction == Direction::Down {
            -d
        } else {
            d
        }
    }

    /// The margin it must exceed: the stated minimum (at least 0.05) and twice the spread.
    pub fn margin(&self) -> f32 {
        self.min_margin.max(MIN_MARGIN).max(2.0 * self.spread())
    }

    /// Holds, or why not.
    pub fn judge(&self) -> Result<(), String> {
        let seeds = self.paired.map_or(self.from.n.min(self.to.n), |p| p.n);
        if seeds < 2 {
            return Err(format!(
                "{seeds} seed(s): a verdict needs at least 2 (run with --seeds 3)"
            ));
        }
        if !(self.from.mean.is_finite() && self.to.mean.is_finite() && self.size().is_finite()) {
            return Err("a point is missing".into());
        }
        let (size, margin) = (self.size(), self.margin());
        if self.direction == Direction::NoRise {
            // The rise, allowing twice the spread, stays under the stated margin.
            let bound = size + 2.0 * self.spread();
            let stated = self.min_margin.max(MIN_MARGIN);
            return if bound < stated {
                Ok(())
            } else {
                Err(format!(
                    "it may rise by {bound:.3} (rise + 2 sd), not under {stated:.3}"
                ))
            };
        }
        if size > margin {
            Ok(())
        } else {
            Err(format!(
                "{} by {:.3}, margin {margin:.3}",
                if size > 0.0 {
                    "too small"
                } else {
                    "the other way"
                },
                size.abs()
            ))
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.change();
        let paired = match self.paired {
            Some(p) => format!(", per seed ± {:.3}", p.sd),
            None => String::new(),
        };
        write!(
            f,
            "{} → {} ({}{:.3}{paired}, margin {:.3})",
            self.from,
            self.to,
            if d >= 0.0 { "+" } else { "−" },
            d.abs(),
            self.margin()
        )
    }
}

/// One finding's verdict: the outcome, the claim, and the numbers behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub finding: String,
    pub outcome: Outcome,
    /// The numbers, and for "not shown" the reason.
    pub evidence: String,
}

/// A condition for judging a finding at all (e.g. "the small digit is learned at equal size"),
/// or a claim; checked in order, the first that fails decides "not shown".
pub struct Check {
    pub what: String,
    pub effect: Effect,
}

impl Verdict {
    /// Holds when every check holds; otherwise "not shown", naming the first failed check.
    /// The evidence lists every check's numbers.
    pub fn from_checks(finding: &str, checks: &[Check]) -> Verdict {
        let lines: Vec<String> = checks
            .iter()
            .map(|c| format!("{}: {}", c.what, c.effect))
            .collect();
        let failed = checks
            .iter()
            .find_map(|c| c.effect.judge().err().map(|why| (c, why)));
        let (outcome, prefix) = match failed {
            None => (Outcome::Holds, String::new()),
            Some((c, why)) => (
                Outcome::NotShown,
                format!("not shown at this scale — {}: {why}. ", c.what),
            ),
        };
        Verdict {
            finding: finding.to_string(),
            outcome,
            evidence: format!("{prefix}{}", lines.join("; ")),
        }
    }

    pub fn holds(&self) -> bool {
        self.outcome == Outcome::Holds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mean: f32, sd: f32) -> Stat {
        Stat { mean, sd, n: 3 }
    }

    #[test]
    fn mean_and_sample_spread() {
        let s = Stat::of(&[0.1, 0.2, 0.3]);
        assert!((s.mean - 0.2).abs() < 1e-6 && (s.sd - 0.1).abs() < 1e-6 && s.n == 3);
        assert_eq!(Stat::of(&[0.4]).sd, 0.0);
        assert!(Stat::of(&[]).mean.is_nan());
    }

    #[test]
    fn an_effect_must_beat_both_the_stated_margin_and_twice_the_seed_spread() {
        // 0.10 with a spread of 0.01: holds (margin 0.05).
        assert!(
            Effect::rise(stat(0.2, 0.01), stat(0.3, 0.01), 0.05)
                .judge()
                .is_ok()
        );
        // The same 0.10 with a spread of 0.06: the margin is 0.12, so it is refused.
        let noisy = Effect::rise(stat(0.2, 0.06), stat(0.3, 0.06), 0.05);
        assert!((noisy.margin() - 0.12).abs() < 1e-6);
        assert!(noisy.judge().unwrap_err().contains("too small"));
        // A stated margin below 0.05 is raised to 0.05.
        assert!(
            Effect::rise(stat(0.2, 0.0), stat(0.24, 0.0), 0.01)
                .judge()
                .is_err()
        );
        // The wrong direction never holds.
        let wrong = Effect::fall(stat(0.2, 0.0), stat(0.5, 0.0), 0.05);
        assert!(wrong.judge().unwrap_err().contains("other way"));
        // One seed is not enough for a verdict.
        let one = Stat {
            n: 1,
            ..stat(0.2, 0.0)
        };
        assert!(
            Effect::rise(one, stat(0.9, 0.0), 0.05)
                .judge()
                .unwrap_err()
                .contains("seed")
        );
    }

    #[test]
    fn a_null_claim_holds_only_when_even_the_spread_cannot_make_it_a_rise() {
        assert!(
            Effect::no_rise(stat(0.2, 0.01), stat(0.21, 0.01), 0.05)
                .judge()
                .is_ok()
        );
        // A rise of 0.01 with a spread of 0.03 might be a rise of 0.07: not shown.
        assert!(
            Effect::no_rise(stat(0.2, 0.03), stat(0.21, 0.03), 0.05)
                .judge()
                .is_err()
        );
        assert!(
            Effect::no_rise(stat(0.2, 0.0), stat(0.3, 0.0), 0.05)
                .judge()
                .is_err()
        );
        let d = stat(0.5, 0.03).minus(stat(0.2, 0.04));
        assert!((d.mean - 0.3).abs() < 1e-6 && (d.sd - 0.05).abs() < 1e-6);
    }

    #[test]
    fn a_paired_effect_is_judged_on_its_per_seed_differences() {
        // Three runs whose untrained level spreads by 0.05 while each run's own change is
        // 0.10 ± 0.003: unpaired the margin is 2 × 0.05, which 0.102 barely clears; paired, 0.05.
        let (init, trained) = ([0.20, 0.25, 0.30], [0.30, 0.355, 0.40]);
        let diffs: Vec<f32> = trained.iter().zip(&init).map(|(t, i)| t - i).collect();
        let e = Effect::rise(Stat::of(&init), Stat::of(&trained), 0.05).paired(Stat::of(&diffs));
        assert!((e.size() - 0.1017).abs() < 1e-3 && (e.margin() - 0.05).abs() < 1e-6);
        assert!(e.judge().is_ok());
        assert!(e.to_string().contains("per seed ± 0.003"), "{e}");
        // A null on a fall with equal means: unpaired the spreads (0.05 each) hide it, paired
        // (every run within 0.01 of its own start) it holds.
        let same = [0.21, 0.25, 0.29];
        let unpaired = Effect::no_rise(Stat::of(&init), Stat::of(&same), 0.05);
        assert!(unpaired.judge().is_err());
        let d: Vec<f32> = same.iter().zip(&init).map(|(t, i)| t - i).collect();
        assert!(unpaired.paired(Stat::of(&d)).judge().is_ok());
        // Pairing is no licence: runs whose own changes disagree (+0.25, −0.05, +0.02) get a
        // wider margin than the two points' pooled spread gives, and the rise is refused.
        let scattered = [0.45, 0.20, 0.32];
        let d: Vec<f32> = scattered.iter().zip(&init).map(|(t, i)| t - i).collect();
        let e = Effect::rise(Stat::of(&init), Stat::of(&scattered), 0.05);
        assert!(e.paired(Stat::of(&d)).margin() > e.margin() + 0.02);
        assert!(e.paired(Stat::of(&d)).judge().is_err());
        // One paired seed is not enough.
        let one = Effect::rise(stat(0.2, 0.0), stat(0.5, 0.0), 0.05).paired(Stat::of(&[0.3]));
        assert!(one.judge().unwrap_err().contains("seed"));
    }

    #[test]
    fn a_verdict_names_the_first_failed_check_and_keeps_all_numbers() {
        let checks = [
            Check {
                what: "gate: learned at equal size".into(),
                effect: Effect::rise(stat(0.1, 0.01), stat(0.5, 0.01), 0.05),
            },
            Check {
                what: "falls as the other grows".into(),
                effect: Effect::fall(stat(0.5, 0.01), stat(0.48, 0.01), 0.05),
            },
        ];
        let v = Verdict::from_checks("MultiDigits", &checks);
        assert_eq!(v.outcome, Outcome::NotShown);
        assert!(
            v.evidence
                .starts_with("not shown at this scale — falls as the other grows")
        );
        assert!(
            v.evidence
                .contains("gate: learned at equal size: 0.100 ± 0.010 → 0.500 ± 0.010")
        );
        let v = Verdict::from_checks("gate only", &checks[..1]);
        assert!(v.holds() && !v.evidence.contains("not shown"));
    }
}
