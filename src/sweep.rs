//! Sweeps: a grid over one or two knobs, run one config after another, and the effect chart
//! drawn from the runs' final metrics. Core code shared by the page and the CLI.
//!
//! In a link a sweep is `sweep=bits:0,5,10;tau:0.05,0.5` (first axis on the x axis, one line
//! per value of the second) and `effect=offline` (which final metric is drawn).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::learn::run::FinalMetrics;
use crate::params::{ExperimentConfig, PARAMS};
use crate::render::svg::{Axes, Series, colour};

/// At most this many runs in one sweep: a grid is run one config after another.
pub const MAX_RUNS: usize = 64;

/// One knob and the values it takes, as URL text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// What the effect chart draws for each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
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

impl Effect {
    pub const ALL: [Effect; 5] = [
        Effect::Offline,
        Effect::Online,
        Effect::Knn,
        Effect::Contrastive,
        Effect::Ari,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Offline => "offline",
            Effect::Online => "online",
            Effect::Knn => "knn",
            Effect::Contrastive => "contrastive",
            Effect::Ari => "ari",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Effect::Offline => "linear-probe test accuracy (offline)",
            Effect::Online => "linear-probe test accuracy (online)",
            Effect::Knn => "kNN test accuracy",
            Effect::Contrastive => "contrastive top-1 accuracy",
            Effect::Ari => "local features: ARI vs true masks",
        }
    }

    pub fn parse(text: &str) -> Result<Effect, String> {
        Effect::ALL
            .into_iter()
            .find(|e| e.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "unknown effect (expected one of {})",
                    Effect::ALL.map(|e| e.as_str()).join(", ")
                )
            })
    }
}

/// One or two axes and the metric to draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    pub axes: Vec<Axis>,
    pub effect: Effect,
}

/// One config of the grid: its axis values (in axis order) and the whole config.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    pub values: Vec<String>,
    pub config: ExperimentConfig,
}

/// A finished run of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    pub values: Vec<String>,
    pub config: String,
    pub fingerprint: String,
    pub metrics: FinalMetrics,
}

/// A line of the effect chart: x is the first axis (its value if every value is a number,
/// else its index), y the metric.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectLine {
    pub name: String,
    pub points: Vec<(f32, f32)>,
    /// Chance levels and at-initialisation references.
    pub dashed: bool,
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
    /// Parses `key:v1,v2[;key2:w1,w2]` and checks every value against the parameter table
    /// (on `base`, so a value that only makes sense with other knobs is still a valid value).
    pub fn parse(text: &str, effect: Effect) -> Result<SweepSpec, String> {
        let mut axes = Vec::new();
        for part in text.split(';').filter(|s| !s.trim().is_empty()) {
            let (key, values) = part
                .split_once(':')
                .ok_or_else(|| format!("{part:?}: expected key:v1,v2,..."))?;
            let key = key.trim();
            if !PARAMS.iter().any(|p| p.key == key) {
                return Err(format!("{key:?}: unknown parameter"));
            }
            if axes.iter().any(|a: &Axis| a.key == key) {
                return Err(format!("{key}: swept twice"));
            }
            let values: Vec<String> = values
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err(format!("{key}: no values"));
            }
            for v in &values {
                ExperimentConfig::default()
                    .set(key, v)
                    .map_err(|e| format!("{key}={v}: {e}"))?;
            }
            axes.push(Axis {
                key: key.to_string(),
                values,
            });
        }
        if axes.is_empty() {
            return Err("no axis (expected key:v1,v2,...)".into());
        }
        if axes.len() > 2 {
            return Err(format!("{} axes; at most 2", axes.len()));
        }
        let spec = SweepSpec { axes, effect };
        if spec.runs() > MAX_RUNS {
            return Err(format!(
                "{} runs; at most {MAX_RUNS} in one sweep",
                spec.runs()
            ));
        }
        Ok(spec)
    }

    pub fn runs(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// The grid, first axis outermost, each point applied to `base`.
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
            .map(|values| {
                let mut config = base.clone();
                for (axis, v) in self.axes.iter().zip(&values) {
                    config.set(&axis.key, v).expect("checked by parse");
                }
                SweepPoint { values, config }
            })
            .collect()
    }

    /// How the effect chart is laid out: accuracies on 0..1 (ARI fits its data), categories
    /// named, the first knob's name under the x axis, a dot at every run.
    pub fn chart_axes(&self) -> Axes {
        Axes {
            y_range: (self.effect != Effect::Ari).then_some((0.0, 1.0)),
            x_labels: self.x_labels(),
            x_title: self.axes[0].key.clone(),
            markers: true,
        }
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

    /// The effect chart's lines: one per feature (and per value of the second axis), plus
    /// dashed chance (or at-initialisation) lines. Points appear as results arrive.
    pub fn effect_lines(&self, results: &[SweepResult]) -> Vec<EffectLine> {
        let xs = self.x_positions();
        let second: Vec<Option<&String>> = match self.axes.get(1) {
            Some(a) => a.values.iter().map(Some).collect(),
            None => vec![None],
        };
        let find = |x: &String, s: Option<&String>| {
            results
                .iter()
                .find(|r| r.values.first() == Some(x) && r.values.get(1) == s)
        };
        let suffix = |s: Option<&String>| match (s, self.axes.get(1)) {
            (Some(v), Some(a)) => format!(" {}={v}", a.key),
            _ => String::new(),
        };
        let series = |s: Option<&String>, f: &dyn Fn(&FinalMetrics) -> Option<f32>| {
            self.axes[0]
                .values
                .iter()
                .zip(&xs)
                .filter_map(|(x, &px)| find(x, s).and_then(|r| f(&r.metrics)).map(|y| (px, y)))
                .collect::<Vec<_>>()
        };
        let mut lines = Vec::new();
        let features: Vec<String> = results
            .first()
            .map(|r| r.metrics.probes.keys().cloned().collect())
            .unwrap_or_default();
        match self.effect {
            Effect::Contrastive => {
                for &s in &second {
                    lines.push(EffectLine {
                        name: format!("contrastive{}", suffix(s)),
                        points: series(s, &|m| Some(m.contrastive_acc)),
                        dashed: false,
                    });
                }
            }
            Effect::Ari => {
                for &s in &second {
                    lines.push(EffectLine {
                        name: format!("trained{}", suffix(s)),
                        points: series(s, &|m| m.ari),
                        dashed: false,
                    });
                    lines.push(EffectLine {
                        name: format!("at init{}", suffix(s)),
                        points: series(s, &|m| m.ari_at_init),
                        dashed: true,
                    });
                }
            }
            Effect::Offline | Effect::Online | Effect::Knn => {
                let effect = self.effect;
                for name in &features {
                    for &s in &second {
                        lines.push(EffectLine {
                            name: format!("{name}{}", suffix(s)),
                            points: series(s, &|m| {
                                m.probes.get(name).map(|p| match effect {
                                    Effect::Online => p.online_test_acc,
                                    Effect::Knn => p.knn_acc,
                                    _ => p.offline_test_acc,
                                })
                            }),
                            dashed: false,
                        });
                    }
                    lines.push(EffectLine {
                        name: format!("{name} chance"),
                        points: series(second[0], &|m| m.probes.get(name).map(|p| p.chance)),
                        dashed: true,
                    });
                }
            }
        }
        lines
    }

    /// One CSV row per run: the axis values, the link, the fingerprint, then every final
    /// metric (per feature: online, offline, kNN, chance).
    pub fn csv(&self, results: &[SweepResult]) -> String {
        let features: Vec<String> = results
            .first()
            .map(|r| r.metrics.probes.keys().cloned().collect())
            .unwrap_or_default();
        let mut header: Vec<String> = self.axes.iter().map(|a| a.key.clone()).collect();
        header.extend(
            [
                "config",
                "fingerprint",
                "contrastive_acc",
                "alignment",
                "uniformity",
                "ari",
                "ari_at_init",
            ]
            .map(String::from),
        );
        for f in &features {
            header.extend(
                ["online_test_acc", "offline_test_acc", "knn_acc", "chance"]
                    .map(|m| format!("{f}.{m}")),
            );
        }
        let mut out = header.join(",");
        out.push('\n');
        for r in results {
            let m = &r.metrics;
            let mut cells = r.values.clone();
            cells.push(format!("\"{}\"", r.config));
            cells.push(r.fingerprint.clone());
            cells.extend([m.contrastive_acc, m.alignment, m.uniformity].map(|v| format!("{v:.4}")));
            for v in [m.ari, m.ari_at_init] {
                cells.push(v.map_or(String::new(), |v| format!("{v:.4}")));
            }
            for name in &features {
                match m.probes.get(name) {
                    Some(p) => cells.extend(
                        [p.online_test_acc, p.offline_test_acc, p.knn_acc, p.chance]
                            .map(|v| format!("{v:.4}")),
                    ),
                    None => cells.extend(std::iter::repeat_n(String::new(), 4)),
                }
            }
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }

    /// The effect as a markdown table: rows = first axis, one column per line.
    pub fn markdown_table(&self, results: &[SweepResult]) -> String {
        let lines = self.effect_lines(results);
        let xs = self.x_positions();
        let mut out = format!("| {} |", self.axes[0].key);
        for l in &lines {
            out.push_str(&format!(" {} |", l.name));
        }
        out.push_str(&format!("\n|---|{}\n", "---|".repeat(lines.len())));
        for (value, x) in self.axes[0].values.iter().zip(&xs) {
            out.push_str(&format!("| {value} |"));
            for l in &lines {
                match l.points.iter().find(|p| p.0 == *x) {
                    Some(p) => out.push_str(&format!(" {:.3} |", p.1)),
                    None => out.push_str(" – |"),
                }
            }
            out.push('\n');
        }
        out
    }
}

/// Colours for effect lines: each solid line its own, a dashed reference line the colour of
/// the solid line before it (its feature's chance, its block's value at initialisation).
pub fn chart_series(lines: &[EffectLine]) -> Vec<Series> {
    let mut next = 0;
    lines
        .iter()
        .map(|l| {
            if !l.dashed {
                next += 1;
            }
            let s = Series::new(&l.name, colour(next.max(1) - 1), l.points.clone());
            if l.dashed { s.dashed() } else { s }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learn::run::FinalProbe;
    use std::collections::BTreeMap;

    fn metrics(digit: f32) -> FinalMetrics {
        let mut probes = BTreeMap::new();
        probes.insert(
            "digit".to_string(),
            FinalProbe {
                online_test_acc: digit - 0.1,
                offline_test_acc: digit,
                knn_acc: digit,
                chance: 0.1,
                online_train_acc: digit,
            },
        );
        FinalMetrics {
            contrastive_acc: 1.0 - digit,
            alignment: 0.0,
            uniformity: 0.0,
            probes,
            ari: None,
            ari_at_init: None,
        }
    }

    #[test]
    fn parse_and_print_round_trip() {
        let s = SweepSpec::parse("bits:0,5,10; tau:0.05,0.5", Effect::Offline).unwrap();
        assert_eq!(s.runs(), 6);
        assert_eq!(s.to_string(), "bits:0,5,10;tau:0.05,0.5");
        assert_eq!(
            SweepSpec::parse(&s.to_string(), Effect::Offline).unwrap(),
            s
        );
    }

    #[test]
    fn bad_sweeps_are_refused_with_a_reason() {
        for (text, needle) in [
            ("", "no axis"),
            ("bits", "expected key"),
            ("nope:1,2", "unknown parameter"),
            ("bits:1,99", "bits=99"),
            ("bits:", "no values"),
            ("bits:1;bits:2", "twice"),
            ("bits:1;tau:0.1;lr:0.1", "at most 2"),
            (
                "seed:1,2,3,4,5,6,7,8,9,10;bits:0,1,2,3,4,5,6,7",
                "at most 64",
            ),
        ] {
            let e = SweepSpec::parse(text, Effect::Offline).unwrap_err();
            assert!(e.contains(needle), "{text:?}: {e}");
        }
        assert!(Effect::parse("accuracy").is_err());
        assert_eq!(Effect::parse("ari"), Ok(Effect::Ari));
    }

    #[test]
    fn points_cover_the_grid_first_axis_outermost() {
        let s = SweepSpec::parse("bits:0,5;tau:0.1,0.5,1", Effect::Offline).unwrap();
        let p = s.points(&ExperimentConfig::default());
        assert_eq!(p.len(), 6);
        assert_eq!(p[0].values, ["0", "0.1"]);
        assert_eq!(p[2].values, ["0", "1"]);
        assert_eq!(p[3].values, ["5", "0.1"]);
        assert_eq!((p[4].config.bits, p[4].config.tau), (5, 0.5));
    }

    #[test]
    fn effect_lines_put_each_result_at_its_point() {
        let s = SweepSpec::parse("bits:0,10;tau:0.1,0.5", Effect::Offline).unwrap();
        let results: Vec<SweepResult> = s
            .points(&ExperimentConfig::default())
            .iter()
            .take(3) // the last run has not finished yet
            .enumerate()
            .map(|(i, p)| SweepResult {
                values: p.values.clone(),
                config: String::new(),
                fingerprint: String::new(),
                metrics: metrics([0.9, 0.7, 0.5][i]),
            })
            .collect();
        let lines = s.effect_lines(&results);
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["digit tau=0.1", "digit tau=0.5", "digit chance"]);
        assert_eq!(lines[0].points, [(0.0, 0.9), (10.0, 0.5)]);
        assert_eq!(lines[1].points, [(0.0, 0.7)]);
        assert!(lines[2].dashed);
        let table = s.markdown_table(&results);
        assert!(table.contains("| 10 | 0.500 | – | 0.100 |"), "{table}");
        let csv = s.csv(&results);
        assert_eq!(csv.lines().count(), 4);
        assert!(csv.lines().nth(1).unwrap().starts_with("0,0.1,"));
    }

    #[test]
    fn categorical_first_axis_uses_indices_and_labels() {
        let s =
            SweepSpec::parse("loss:ntxent,swd_cube;head_depth:0,3", Effect::Contrastive).unwrap();
        assert_eq!(s.x_positions(), [0.0, 1.0]);
        assert_eq!(s.x_labels().unwrap(), ["ntxent", "swd_cube"]);
    }
}
