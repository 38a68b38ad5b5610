//! Sweeps: a grid over one or two knobs, run one config after another. This module is the
//! grammar (`sweep=bits:0,5,10;tau:0.05,0.5` in a link, first axis on the x axis, one line per
//! value of the second), the grid's points and the metric drawn (`effect=offline`); `report`
//! turns finished runs into the effect chart and tables, `csv` into one row per run; `run`
//! sequences a grid, `parallel` runs it several runs at a time (natively), and `shard` splits
//! it across machines.

pub mod csv;
#[cfg(not(target_family = "wasm"))]
pub mod parallel;
pub mod report;
pub mod run;
pub mod shard;

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::params::{ExperimentConfig, PARAMS};
use crate::record::FinalMetrics;

pub use report::{EffectLine, chart_series};
pub use run::SweepRun;

/// At most this many runs in one sweep (grid points × seeds): a grid is run one config after
/// another.
pub const MAX_RUNS: usize = 64;
/// At most this many seeds per grid point.
pub const MAX_SEEDS: usize = 10;

/// One knob and the values it takes, as URL text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// Which final metric of each run the effect chart draws (`effect=` in a link).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// Offline logistic-regression probe, test accuracy, per feature (the paper's linear eval).
    Offline,
    /// Online linear probe trained alongside the encoder, test accuracy, per feature.
    Online,
    /// k-nearest-neighbour test accuracy, per feature.
    Knn,
    /// Top-1 contrastive accuracy (is the instance task solved?).
    Contrastive,
    /// Adjusted Rand index of the local-feature clusters, trained and at initialisation.
    Ari,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::Offline,
        Metric::Online,
        Metric::Knn,
        Metric::Contrastive,
        Metric::Ari,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Offline => "offline",
            Metric::Online => "online",
            Metric::Knn => "knn",
            Metric::Contrastive => "contrastive",
            Metric::Ari => "ari",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Offline => "linear-probe test accuracy (offline)",
            Metric::Online => "linear-probe test accuracy (online)",
            Metric::Knn => "kNN test accuracy",
            Metric::Contrastive => "contrastive top-1 accuracy",
            Metric::Ari => "local features: ARI vs true masks",
        }
    }

    pub fn parse(text: &str) -> Result<Metric, SweepError> {
        Metric::ALL
            .into_iter()
            .find(|e| e.as_str() == text.trim())
            .ok_or_else(|| SweepError::UnknownMetric(text.trim().to_string()))
    }
}

/// What is wrong with a sweep's text; each names the part, knob or value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SweepError {
    /// Nothing to sweep.
    NoAxis,
    /// A part that is not `key:v1,v2,...`.
    Syntax(String),
    UnknownKnob(String),
    SweptTwice(String),
    NoValues(String),
    /// A value the knob does not accept.
    BadValue {
        key: String,
        value: String,
        reason: String,
    },
    TooManyAxes(usize),
    TooManyRuns(usize),
    UnknownMetric(String),
    /// `seeds=` outside 1..=MAX_SEEDS or not a number.
    BadSeeds(String),
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::NoAxis => write!(f, "no axis (expected key:v1,v2,...)"),
            SweepError::Syntax(part) => write!(f, "{part:?}: expected key:v1,v2,..."),
            SweepError::UnknownKnob(key) => write!(f, "{key:?}: unknown parameter"),
            SweepError::SweptTwice(key) => write!(f, "{key}: swept twice"),
            SweepError::NoValues(key) => write!(f, "{key}: no values"),
            SweepError::BadValue { key, value, reason } => write!(f, "{key}={value}: {reason}"),
            SweepError::TooManyAxes(n) => write!(f, "{n} axes; at most 2"),
            SweepError::TooManyRuns(n) => write!(
                f,
                "{n} runs (grid points × seeds); at most {MAX_RUNS} in one sweep"
            ),
            SweepError::BadSeeds(text) => {
                write!(f, "seeds={text:?}: expected a whole number 1..={MAX_SEEDS}")
            }
            SweepError::UnknownMetric(text) => write!(
                f,
                "{text:?}: unknown effect (expected one of {})",
                Metric::ALL.map(|e| e.as_str()).join(", ")
            ),
        }
    }
}

impl std::error::Error for SweepError {}

fn one() -> usize {
    1
}

/// Sets one grid value: `key` to the value's first part, then each `~other:value` it carries
/// (an error names the knob and the value it could not take).
fn apply_value(
    config: &mut ExperimentConfig,
    key: &str,
    token: &str,
) -> Result<(), crate::params::ParamError> {
    let mut parts = token.split('~');
    config.set(key, parts.next().unwrap_or_default().trim())?;
    for extra in parts {
        let (k, v) = extra.split_once([':', '=']).unwrap_or((extra, ""));
        let k = k.trim();
        if k == key {
            return Err(crate::params::ParamError {
                key: k.to_string(),
                value: v.to_string(),
                reason: format!("already set by the axis value {token:?}"),
            });
        }
        config.set(k, v.trim())?;
    }
    Ok(())
}

/// One or two axes, the metric to draw, and how many seeds each grid point runs with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    pub axes: Vec<Axis>,
    pub effect: Metric,
    /// Runs per grid point: the config's seed, then the next ones (`seeds=3` in a link).
    #[serde(default = "one")]
    pub seeds: usize,
}

/// One run of the grid: its axis values (in axis order), which of the point's seeds it is,
/// and the whole config.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    pub values: Vec<String>,
    /// 0-based index among the point's seeds.
    pub replicate: usize,
    pub config: ExperimentConfig,
}

/// A finished run of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    pub values: Vec<String>,
    /// The run's seed.
    #[serde(default)]
    pub seed: u64,
    pub config: String,
    pub fingerprint: String,
    pub metrics: FinalMetrics,
    /// Why the run failed (NaN loss, a device error), if it did: it is kept, marked, and left
    /// out of every mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

impl SweepResult {
    /// A finished (not failed) run at the grid point `values`: one that counts in its means.
    pub fn counts_at(&self, values: &[&str]) -> bool {
        self.failed.is_none()
            && self
                .values
                .iter()
                .map(String::as_str)
                .eq(values.iter().copied())
    }
}

impl fmt::Display for SweepSpec {
    /// The `sweep=` value: `key:v1,v2;key2:w1,w2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let axes: Vec<String> = self
            .axes
            .iter()
            .map(|a| format!("{}:{}", a.key, a.values.join(",")))
            .collect();
        write!(f, "{}", axes.join(";"))
    }
}

impl SweepSpec {
    /// The same grid with `seeds` runs per point, checked against the limits.
    pub fn with_seeds(self, seeds: usize) -> Result<SweepSpec, SweepError> {
        if !(1..=MAX_SEEDS).contains(&seeds) {
            return Err(SweepError::BadSeeds(seeds.to_string()));
        }
        let spec = SweepSpec { seeds, ..self };
        match spec.runs() {
            n if n > MAX_RUNS => Err(SweepError::TooManyRuns(n)),
            _ => Ok(spec),
        }
    }

    /// Parses a `seeds=` value.
    pub fn parse_seeds(text: &str) -> Result<usize, SweepError> {
        text.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_SEEDS).contains(n))
            .ok_or_else(|| SweepError::BadSeeds(text.to_string()))
    }

    /// Parses `key:v1,v2[;key2:w1,w2]` and checks every value against the parameter table
    /// (on the defaults, so a value that only makes sense with other knobs is still valid).
    /// A value may carry settings of other knobs that go with it, after `~`:
    /// `loss:ntxent,swd_sphere~lambda:5` runs SWD at λ = 5 and NT-Xent at the base's λ.
    pub fn parse(text: &str, effect: Metric) -> Result<SweepSpec, SweepError> {
        let mut axes = Vec::new();
        for part in text.split(';').filter(|s| !s.trim().is_empty()) {
            let (key, values) = part
                .split_once(':')
                .ok_or_else(|| SweepError::Syntax(part.to_string()))?;
            let key = key.trim();
            if !PARAMS.iter().any(|p| p.key == key) {
                return Err(SweepError::UnknownKnob(key.to_string()));
            }
            if axes.iter().any(|a: &Axis| a.key == key) {
                return Err(SweepError::SweptTwice(key.to_string()));
            }
            let values: Vec<String> = values
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err(SweepError::NoValues(key.to_string()));
            }
            for v in &values {
                apply_value(&mut ExperimentConfig::default(), key, v).map_err(|e| {
                    SweepError::BadValue {
                        key: e.key,
                        value: e.value,
                        reason: e.reason,
                    }
                })?;
            }
            axes.push(Axis {
                key: key.to_string(),
                values,
            });
        }
        if axes.is_empty() {
            return Err(SweepError::NoAxis);
        }
        if axes.len() > 2 {
            return Err(SweepError::TooManyAxes(axes.len()));
        }
        // A value may not carry a knob another axis sweeps: which would win is not obvious.
        for axis in &axes {
            for v in &axis.values {
                for extra in v.split('~').skip(1) {
                    let k = extra
                        .split_once([':', '='])
                        .map_or(extra, |(k, _)| k)
                        .trim();
                    if axes.iter().any(|a| a.key == k) {
                        return Err(SweepError::BadValue {
                            key: axis.key.clone(),
                            value: v.clone(),
                            reason: format!("{k} is swept by an axis of its own"),
                        });
                    }
                }
            }
        }
        let spec = SweepSpec {
            axes,
            effect,
            seeds: 1,
        };
        if spec.runs() > MAX_RUNS {
            return Err(SweepError::TooManyRuns(spec.runs()));
        }
        Ok(spec)
    }

    /// Number of grid points (saturating: a product that overflows is over any limit).
    pub fn grid_size(&self) -> usize {
        self.axes
            .iter()
            .fold(1usize, |n, a| n.saturating_mul(a.values.len()))
    }

    /// Number of runs: grid points × seeds.
    pub fn runs(&self) -> usize {
        self.grid_size().saturating_mul(self.seeds)
    }

    /// Every run: the grid, first axis outermost, each point applied to `base` and run with
    /// `seeds` consecutive seeds from its own (the innermost loop).
    pub fn points(&self, base: &ExperimentConfig) -> Vec<SweepPoint> {
        let mut grid: Vec<Vec<String>> = vec![vec![]];
        for axis in &self.axes {
            grid = grid
                .iter()
                .flat_map(|prefix| {
                    axis.values
                        .iter()
                        .map(move |v| [prefix.clone(), vec![v.clone()]].concat())
                })
                .collect();
        }
        grid.into_iter()
            .flat_map(|values| {
                let mut config = base.clone();
                for (axis, v) in self.axes.iter().zip(&values) {
                    apply_value(&mut config, &axis.key, v).expect("checked by parse");
                }
                (0..self.seeds.max(1)).map(move |replicate| {
                    let mut config = config.clone();
                    config.seed = config.seed.wrapping_add(replicate as u64) & 0xFFFF_FFFF;
                    SweepPoint {
                        values: values.clone(),
                        replicate,
                        config,
                    }
                })
            })
            .collect()
    }

    /// A short label of a point: `bits=5 tau=0.05`.
    pub fn label(&self, values: &[String]) -> String {
        self.axes
            .iter()
            .zip(values)
            .map(|(a, v)| format!("{}={v}", a.key))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// x positions of the first axis's values: the values themselves when all are numbers,
    /// else 0, 1, 2, ... (then `x_labels` names them).
    pub fn x_positions(&self) -> Vec<f32> {
        let values = &self.axes[0].values;
        let numbers: Option<Vec<f32>> = values.iter().map(|v| v.parse::<f32>().ok()).collect();
        match numbers {
            Some(n) => n,
            None => (0..values.len()).map(|i| i as f32).collect(),
        }
    }

    /// Tick labels when the first axis is categorical.
    pub fn x_labels(&self) -> Option<Vec<String>> {
        let values = &self.axes[0].values;
        values
            .iter()
            .any(|v| v.parse::<f32>().is_err())
            .then(|| values.clone())
    }
}

#[cfg(test)]
mod tests;
