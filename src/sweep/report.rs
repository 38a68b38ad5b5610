//! What a sweep's finished runs show: the effect chart's lines (one per feature and value of
//! the second knob, with dashed chance or at-initialisation lines), the CSV with one row per
//! run, and the markdown table of the report.

use super::{Metric, SweepResult, SweepSpec};
use crate::record::FinalMetrics;
use crate::render::svg::{Axes, Series, colour};

/// A line of the effect chart: x is the first axis (its value if every value is a number,
/// else its index), y the metric.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectLine {
    pub name: String,
    pub points: Vec<(f32, f32)>,
    /// Chance levels and at-initialisation references.
    pub dashed: bool,
}

impl SweepSpec {
    /// How the effect chart is laid out: accuracies on 0..1 (ARI fits its data), categories
    /// named, the first knob's name under the x axis, a dot at every run.
    pub fn chart_axes(&self) -> Axes {
        Axes {
            y_range: (self.effect != Metric::Ari).then_some((0.0, 1.0)),
            x_labels: self.x_labels(),
            x_title: self.axes[0].key.clone(),
            markers: true,
        }
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
            Metric::Contrastive => {
                for &s in &second {
                    lines.push(EffectLine {
                        name: format!("contrastive{}", suffix(s)),
                        points: series(s, &|m| Some(m.contrastive_acc)),
                        dashed: false,
                    });
                }
            }
            Metric::Ari => {
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
            Metric::Offline | Metric::Online | Metric::Knn => {
                let effect = self.effect;
                for name in &features {
                    for &s in &second {
                        lines.push(EffectLine {
                            name: format!("{name}{}", suffix(s)),
                            points: series(s, &|m| {
                                m.probes.get(name).map(|p| match effect {
                                    Metric::Online => p.online_test_acc,
                                    Metric::Knn => p.knn_acc,
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
    use crate::params::ExperimentConfig;
    use crate::record::FinalProbe;
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
            probes,
            ..FinalMetrics::default()
        }
    }

    #[test]
    fn effect_lines_put_each_result_at_its_point() {
        let s = SweepSpec::parse("bits:0,10;tau:0.1,0.5", Metric::Offline).unwrap();
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
}
