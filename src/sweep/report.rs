//! What a sweep's finished runs show: the effect chart's lines (one per feature and value of
//! the second knob; dashed chance lines, dotted at-initialisation and published reference
//! lines), each point a mean ± sd over its seeds, drawn as a chart or as the markdown table of
//! the report.

use super::{Metric, SweepResult, SweepSpec};
use crate::record::{FinalMetrics, FinalProbe};
use crate::render::svg::{Axes, Series, colour, line_chart_file};
use crate::verdict::Stat;

/// How an effect line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// The measured metric.
    Measured,
    /// A feature's chance level (dashed, the feature's colour).
    Chance,
    /// The same metric on the untrained encoder (dotted, the colour of the line before it).
    AtInit,
    /// Published numbers to compare with (dotted, hollow markers).
    Reference,
}

/// A line of the effect chart: x is the first axis (its value if every value is a number,
/// else its index), y the metric's mean over seeds with its spread.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectLine {
    pub name: String,
    pub points: Vec<(f32, Stat)>,
    pub kind: LineKind,
}

impl EffectLine {
    /// A line of published numbers (single values, no spread).
    pub fn reference(name: &str, points: &[(f32, f32)]) -> Self {
        Self {
            name: name.to_string(),
            points: points.iter().map(|&(x, y)| (x, Stat::of(&[y]))).collect(),
            kind: LineKind::Reference,
        }
    }
}

/// A probe metric of one feature.
pub fn probe_value(metric: Metric, p: &FinalProbe) -> f32 {
    match metric {
        Metric::Online => p.online_test_acc,
        Metric::Knn => p.knn_acc,
        _ => p.offline_test_acc,
    }
}

/// The same probe metric on the untrained encoder, where the record has it.
fn probe_at_init(metric: Metric, p: &FinalProbe) -> Option<f32> {
    let v = match metric {
        Metric::Knn => p.knn_at_init,
        Metric::Offline => p.offline_at_init,
        _ => f32::NAN,
    };
    v.is_finite().then_some(v)
}

impl SweepSpec {
    /// How the effect chart is laid out: accuracies on 0..1 (ARI fits its data), categories
    /// named, the first knob's name under the x axis, the metric up the y axis, a dot at
    /// every point.
    pub fn chart_axes(&self) -> Axes {
        Axes {
            y_range: (self.effect != Metric::Ari).then_some((0.0, 1.0)),
            x_labels: self.x_labels(),
            x_title: self.axes[0].key.clone(),
            y_title: match self.effect {
                Metric::Ari => "ARI".into(),
                Metric::Contrastive => "contrastive acc.".into(),
                _ => "probe accuracy".into(),
            },
            markers: true,
        }
    }

    /// The effect chart of a finished (or partial) sweep as an SVG file, with any published
    /// lines.
    pub fn effect_svg(
        &self,
        title: &str,
        results: &[SweepResult],
        references: Vec<EffectLine>,
    ) -> String {
        let mut lines = self.effect_lines(results);
        lines.extend(references);
        line_chart_file(title, &chart_series(&lines), &self.chart_axes())
    }

    /// The metric over the seeds of every finished run at a grid point.
    pub fn stat_at(
        &self,
        results: &[SweepResult],
        values: &[&str],
        f: impl Fn(&FinalMetrics) -> Option<f32>,
    ) -> Stat {
        let samples: Vec<f32> = results
            .iter()
            .filter(|r| r.counts_at(values))
            .filter_map(|r| f(&r.metrics))
            .filter(|v| v.is_finite())
            .collect();
        Stat::of(&samples)
    }

    /// The effect chart's lines: one per feature (and per value of the second axis), plus
    /// dashed chance and dotted at-initialisation lines. Points appear as results arrive.
    pub fn effect_lines(&self, results: &[SweepResult]) -> Vec<EffectLine> {
        let lines = LineMaker::new(self, results);
        match self.effect {
            Metric::Contrastive => lines.contrastive(),
            Metric::Ari => lines.ari(),
            Metric::Offline | Metric::Online | Metric::Knn => lines.probes(self.effect),
        }
    }

    /// The effect as a markdown table: rows = first axis, one column per line, mean ± sd.
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
                    Some((_, stat)) => out.push_str(&format!(" {stat} |")),
                    None => out.push_str(" – |"),
                }
            }
            out.push('\n');
        }
        out
    }
}

/// Draws a sweep's effect lines, one family of metrics at a time: each line runs along the first
/// axis at one value of the second (if there is a second axis).
struct LineMaker<'a> {
    spec: &'a SweepSpec,
    results: &'a [SweepResult],
    /// Where each first-axis value sits on the x axis.
    xs: Vec<f32>,
    /// The second axis's values (one `None` without a second axis).
    second: Vec<Option<&'a String>>,
}

impl<'a> LineMaker<'a> {
    fn new(spec: &'a SweepSpec, results: &'a [SweepResult]) -> Self {
        Self {
            spec,
            results,
            xs: spec.x_positions(),
            second: match spec.axes.get(1) {
                Some(a) => a.values.iter().map(Some).collect(),
                None => vec![None],
            },
        }
    }

    /// The name suffix of second-axis value `s`, e.g. ` tau=0.5`.
    fn suffix(&self, s: Option<&String>) -> String {
        match (s, self.spec.axes.get(1)) {
            (Some(v), Some(a)) => format!(" {}={v}", a.key),
            _ => String::new(),
        }
    }

    /// `f`'s mean over seeds at each first-axis value with finished runs, at second-axis
    /// value `s`.
    fn series(
        &self,
        s: Option<&String>,
        f: &dyn Fn(&FinalMetrics) -> Option<f32>,
    ) -> Vec<(f32, Stat)> {
        self.spec.axes[0]
            .values
            .iter()
            .zip(&self.xs)
            .filter_map(|(x, &px)| {
                let mut values = vec![x.as_str()];
                values.extend(s.map(String::as_str));
                let stat = self.spec.stat_at(self.results, &values, f);
                (stat.n > 0).then_some((px, stat))
            })
            .collect()
    }

    /// Top-1 contrastive accuracy, one line per second-axis value.
    fn contrastive(&self) -> Vec<EffectLine> {
        self.second
            .iter()
            .map(|&s| {
                let points = self.series(s, &|m| Some(m.contrastive_acc));
                line(
                    format!("contrastive{}", self.suffix(s)),
                    points,
                    LineKind::Measured,
                )
            })
            .collect()
    }

    /// The local features' ARI: trained, at initialisation, on raw pixels, and against the
    /// objects' parts where the runs measured it.
    fn ari(&self) -> Vec<EffectLine> {
        let has_parts = self.results.iter().any(|r| r.metrics.ari_parts.is_some());
        let mut lines = Vec::new();
        for &s in &self.second {
            let sfx = self.suffix(s);
            lines.push(line(
                format!("trained{sfx}"),
                self.series(s, &|m| m.ari),
                LineKind::Measured,
            ));
            lines.push(line(
                format!("at init{sfx}"),
                self.series(s, &|m| m.ari_at_init),
                LineKind::AtInit,
            ));
            lines.push(line(
                format!("raw pixels{sfx}"),
                self.series(s, &|m| m.ari_pixels),
                LineKind::Chance,
            ));
            if has_parts {
                lines.push(line(
                    format!("trained vs parts{sfx}"),
                    self.series(s, &|m| m.ari_parts),
                    LineKind::Measured,
                ));
            }
        }
        lines
    }

    /// A probe metric per feature: per second-axis value the trained probe and, where the
    /// record has it, the untrained encoder's; then the feature's chance level.
    fn probes(&self, metric: Metric) -> Vec<EffectLine> {
        let mut lines = Vec::new();
        for name in &features_of(self.results) {
            let probe = |m: &FinalMetrics| m.probes.get(name).cloned();
            for &s in &self.second {
                lines.push(line(
                    format!("{name}{}", self.suffix(s)),
                    self.series(s, &|m| probe(m).map(|p| probe_value(metric, &p))),
                    LineKind::Measured,
                ));
                let init = self.series(s, &|m| probe(m).and_then(|p| probe_at_init(metric, &p)));
                if !init.is_empty() {
                    lines.push(line(
                        format!("{name}{} at init", self.suffix(s)),
                        init,
                        LineKind::AtInit,
                    ));
                }
            }
            lines.push(line(
                format!("{name} chance"),
                self.series(self.second[0], &|m| probe(m).map(|p| p.chance)),
                LineKind::Chance,
            ));
        }
        lines
    }
}

fn line(name: String, points: Vec<(f32, Stat)>, kind: LineKind) -> EffectLine {
    EffectLine { name, points, kind }
}

/// The features probed, from the first run that finished.
pub(super) fn features_of(results: &[SweepResult]) -> Vec<String> {
    results
        .iter()
        .find(|r| r.failed.is_none())
        .map(|r| r.metrics.probes.keys().cloned().collect())
        .unwrap_or_default()
}

/// Chart series of effect lines: each measured line its own colour, with its seed spread as a
/// band; a chance or at-init line the colour of the measured line before it; references grey.
pub fn chart_series(lines: &[EffectLine]) -> Vec<Series> {
    let mut next = 0;
    lines
        .iter()
        .map(|l| {
            if l.kind == LineKind::Measured {
                next += 1;
            }
            let points = l.points.iter().map(|(x, s)| (*x, s.mean)).collect();
            let c = colour(next.max(1) - 1);
            match l.kind {
                LineKind::Measured => {
                    let spread: Vec<f32> = l.points.iter().map(|(_, s)| s.sd).collect();
                    let s = Series::new(&l.name, c, points);
                    if spread.iter().any(|&sd| sd > 0.0) {
                        s.with_spread(spread)
                    } else {
                        s
                    }
                }
                LineKind::Chance => Series::new(&l.name, c, points).dashed(),
                LineKind::AtInit => Series::new(&l.name, c, points).dotted(),
                LineKind::Reference => Series::new(&l.name, "#777", points).dotted(),
            }
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
                offline_at_init: 0.3,
                knn_at_init: 0.3,
            },
        );
        FinalMetrics {
            contrastive_acc: 1.0 - digit,
            probes,
            ..FinalMetrics::default()
        }
    }

    fn results(spec: &SweepSpec, accs: &[f32]) -> Vec<SweepResult> {
        spec.points(&ExperimentConfig::default())
            .iter()
            .zip(accs)
            .map(|(p, &a)| SweepResult {
                values: p.values.clone(),
                seed: p.config.seed,
                config: String::new(),
                fingerprint: String::new(),
                metrics: metrics(a),
                failed: None,
            })
            .collect()
    }

    #[test]
    fn effect_lines_put_each_result_at_its_point() {
        let s = SweepSpec::parse("bits:0,10;tau:0.1,0.5", Metric::Offline).unwrap();
        // The last run has not finished yet.
        let r = results(&s, &[0.9, 0.7, 0.5]);
        let lines = s.effect_lines(&r);
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "digit tau=0.1",
                "digit tau=0.1 at init",
                "digit tau=0.5",
                "digit tau=0.5 at init",
                "digit chance"
            ]
        );
        let means = |l: &EffectLine| l.points.iter().map(|p| (p.0, p.1.mean)).collect::<Vec<_>>();
        assert_eq!(means(&lines[0]), [(0.0, 0.9), (10.0, 0.5)]);
        assert_eq!(means(&lines[2]), [(0.0, 0.7)]);
        assert_eq!(lines[4].kind, LineKind::Chance);
        let table = s.markdown_table(&r);
        assert!(
            table.contains("| 10 | 0.500 | 0.300 | – | – | 0.100 |"),
            "{table}"
        );
        let csv = s.csv(&r);
        assert_eq!(csv.lines().count(), 4);
        assert!(csv.lines().nth(1).unwrap().starts_with("0,0.1,0,"));
    }

    #[test]
    fn seeds_become_a_mean_with_its_spread() {
        let s = SweepSpec::parse("bits:0,10", Metric::Offline)
            .unwrap()
            .with_seeds(3)
            .unwrap();
        let r = results(&s, &[0.8, 0.9, 1.0, 0.1, 0.2, 0.3]);
        let lines = s.effect_lines(&r);
        let (x, stat) = lines[0].points[1];
        assert_eq!((x, stat.n), (10.0, 3));
        assert!((stat.mean - 0.2).abs() < 1e-6 && (stat.sd - 0.1).abs() < 1e-6);
        let series = chart_series(&lines);
        assert_eq!(series[0].spread.len(), 2);
        assert!(s.markdown_table(&r).contains("0.200 ± 0.100"));
        // One CSV row per run, with its seed.
        let csv = s.csv(&r);
        assert_eq!(csv.lines().count(), 7);
        assert!(csv.lines().nth(4).unwrap().starts_with("10,0,"));
    }
}
