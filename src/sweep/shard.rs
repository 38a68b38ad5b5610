//! Sweeps across machines: a grid (knobs × seeds) split into N independent shards, each running
//! every N-th run, and the shards' results merged back into the order of the whole grid, so the
//! merged outputs equal an unsharded run's.

use std::fmt;
use std::str::FromStr;

use super::{SweepResult, SweepSpec};
use crate::params::ExperimentConfig;

/// Shard `index` (1-based) of `count`: runs `index − 1`, `index − 1 + count`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?}: expected K/N with 1 <= K <= N (e.g. 2/3)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether run `i` (0-based, in grid order) is this shard's.
    pub fn takes(&self, i: usize) -> bool {
        i % self.count == self.index - 1
    }
}

/// The results of several shards of `spec` on `base`, in the order of the whole grid; `Err`
/// names a run that is missing or given twice.
pub fn merge(
    spec: &SweepSpec,
    base: &ExperimentConfig,
    shards: Vec<Vec<SweepResult>>,
) -> Result<Vec<SweepResult>, String> {
    let points = spec.points(base);
    let mut slots: Vec<Option<SweepResult>> = vec![None; points.len()];
    for result in shards.into_iter().flatten() {
        let i = points
            .iter()
            .position(|p| p.values == result.values && p.config.seed == result.seed)
            .ok_or_else(|| {
                format!(
                    "{} seed {} is not a run of this sweep",
                    spec.label(&result.values),
                    result.seed
                )
            })?;
        if slots[i].is_some() {
            return Err(format!(
                "{} seed {} is in two shards",
                spec.label(&result.values),
                result.seed
            ));
        }
        slots[i] = Some(result);
    }
    slots
        .into_iter()
        .zip(&points)
        .map(|(slot, p)| {
            slot.ok_or_else(|| {
                format!(
                    "{} seed {} is missing: is a shard left out?",
                    spec.label(&p.values),
                    p.config.seed
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::Metric;

    #[test]
    fn shards_cover_the_grid_once_and_merge_back_in_order() {
        let spec = SweepSpec::parse("bits:0,5,10", Metric::Offline)
            .unwrap()
            .with_seeds(2)
            .unwrap();
        let base = ExperimentConfig::default();
        let results: Vec<SweepResult> = spec
            .points(&base)
            .into_iter()
            .map(|p| SweepResult {
                values: p.values,
                seed: p.config.seed,
                config: String::new(),
                fingerprint: String::new(),
                metrics: Default::default(),
                failed: None,
            })
            .collect();
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        let split: Vec<Vec<SweepResult>> = shards
            .iter()
            .map(|s| {
                results
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| s.takes(*i))
                    .map(|(_, r)| r.clone())
                    .collect()
            })
            .collect();
        assert_eq!(split.iter().map(Vec::len).sum::<usize>(), results.len());
        let mut reversed = split.clone();
        reversed.reverse();
        assert_eq!(merge(&spec, &base, reversed).unwrap(), results);
        assert!(
            merge(&spec, &base, split[..2].to_vec())
                .unwrap_err()
                .contains("missing")
        );
        let twice = vec![
            split[0].clone(),
            split[0].clone(),
            split[1].clone(),
            split[2].clone(),
        ];
        assert!(
            merge(&spec, &base, twice)
                .unwrap_err()
                .contains("two shards")
        );
        assert!("0/3".parse::<Shard>().is_err() && "4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
