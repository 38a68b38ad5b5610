//! The reference results: a `reproduce` run's `results.json` (the page ships the committed
//! `docs/reproduce/results.json`), read into one figure per finding, like a figure in a paper,
//! and the comparison of a visitor's own runs with it: each of their points inside or outside
//! the reference's band (its mean ± twice its seed spread).
//!
//! A run with one seed cannot give a verdict (there is no spread to judge a margin against);
//! held against the reference it is evidence all the same, and [`Comparison::headline`] says so.

use super::Preset;
use super::report::{PresetReport, Results};
use crate::params::{ExperimentConfig, PARAMS};
use crate::render::svg::Series;
use crate::sweep::report::{EffectLine, LineKind, chart_series};
use crate::sweep::{SweepResult, SweepSpec};
use crate::url::decode_unchecked;
use crate::verdict::{Outcome, Stat};

/// The band's half-width is at least this, so a reference point whose seeds agree exactly
/// still has a band to fall into.
pub const BAND_FLOOR: f32 = 0.01;

/// The half-width of the reference band around a point: twice its seed spread, at least
/// [`BAND_FLOOR`].
pub fn band(stat: Stat) -> f32 {
    (2.0 * stat.sd).max(BAND_FLOOR)
}

/// Every finding's reference runs.
pub struct References {
    results: Results,
}

/// One finding's reference: its preset, its runs, its grid (with the seeds it ran) and the
/// settings they were run with.
#[derive(Clone)]
pub struct Reference<'a> {
    pub preset: &'static Preset,
    pub report: &'a PresetReport,
    pub spec: SweepSpec,
    pub config: ExperimentConfig,
    pub results: &'a Results,
}

impl References {
    /// Reads a `results.json`.
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text)
            .map(|results| Self { results })
            .map_err(|e| format!("not a reproduce results.json: {e}"))
    }

    /// The reference of preset `name`, if the results have its runs (and its sweep).
    pub fn get(&self, name: &str) -> Option<Reference<'_>> {
        let report = self.results.presets.iter().find(|r| r.preset == name)?;
        let preset = Preset::find(name)?;
        let decoded = decode_unchecked(ExperimentConfig::default(), &report.link);
        Some(Reference {
            preset,
            report,
            spec: decoded.sweep?,
            config: decoded.config,
            results: &self.results,
        })
    }

    /// The reference of a visitor's sweep: the preset whose grid it is (demonstrations too).
    pub fn for_sweep(&self, spec: &SweepSpec) -> Option<Reference<'_>> {
        self.results
            .presets
            .iter()
            .filter_map(|r| self.get(&r.preset))
            .find(|r| r.preset.matches(spec))
    }
}

/// One point of a visitor's line held against the reference's.
#[derive(Clone, Debug, PartialEq)]
pub struct PointCheck {
    /// The line, e.g. `digit tau=0.05`, and the point, e.g. `bits=10`.
    pub line: String,
    pub point: String,
    pub value: Stat,
    pub reference: Stat,
    pub inside: bool,
}

impl PointCheck {
    /// "bits=10, digit: 0.118, inside the reference's 0.109 ± 0.020".
    pub fn sentence(&self) -> String {
        format!(
            "{}, {}: {:.3}, {} the reference's {:.3} ± {:.3}",
            self.point,
            self.line,
            self.value.mean,
            if self.inside { "inside" } else { "outside" },
            self.reference.mean,
            band(self.reference)
        )
    }
}

/// A visitor's sweep held against a reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub checks: Vec<PointCheck>,
    /// Knobs the visitor's settings set differently from the reference's (`steps=40 (the
    /// reference: 200)`); the seed is not one of them.
    pub settings: Vec<String>,
    /// Seeds per point of the visitor's sweep and of the reference.
    pub seeds: (usize, usize),
}

impl Comparison {
    pub fn inside(&self) -> usize {
        self.checks.iter().filter(|c| c.inside).count()
    }

    /// What the visitor's runs say against the reference, in one paragraph.
    pub fn headline(&self, reference: &Reference) -> String {
        let (yours, theirs) = self.seeds;
        let verdict = match reference.report.verdict.outcome {
            Outcome::Holds => "in the reference the finding holds",
            Outcome::NotShown => "in the reference the finding is not shown at this scale",
        };
        let mut text = format!(
            "Compared with the reference ({theirs} seeds per point, {}): {} of {} of your points \
             fall inside its band (mean ± 2 sd); {verdict}.",
            reference.about(),
            self.inside(),
            self.checks.len()
        );
        if yours == 1 {
            text.push_str(
                " One seed per point has no spread of its own, so it is a comparison, not a \
                 verdict: run 2 or more seeds for one.",
            );
        }
        if !self.settings.is_empty() {
            text.push_str(&format!(
                " Your settings differ from the reference's ({}): read the band as orientation, \
                 not as a prediction.",
                self.settings.join(", ")
            ));
        }
        text
    }
}

impl Reference<'_> {
    /// How the reference was made: "`reproduce --scale small`, natively on the CPU".
    pub fn about(&self) -> String {
        let r = self.results;
        let place = match &r.machine {
            Some(m) => format!("natively on {} ({m})", r.backend),
            None => format!("natively on the {} backend", r.backend),
        };
        format!("`reproduce --scale {}`, {place}", r.scale)
    }

    /// The reference's effect lines.
    pub fn lines(&self) -> Vec<EffectLine> {
        self.spec.effect_lines(&self.report.results)
    }

    /// The figure: the reference's lines with their bands (mean ± 2 sd) and, when `visitor`
    /// has runs of this grid, those runs drawn over it in the same colours.
    pub fn figure(&self, visitor: Option<(&SweepSpec, &[SweepResult])>) -> Vec<Series> {
        let lines = self.lines();
        let visitor = visitor.filter(|(s, r)| s.axes == self.spec.axes && !r.is_empty());
        let mut series = chart_series(&lines);
        for (s, l) in series.iter_mut().zip(&lines) {
            if l.kind == LineKind::Measured {
                s.spread = l.points.iter().map(|(_, stat)| band(*stat)).collect();
                s.name = format!("{} (reference)", l.name);
                if visitor.is_some() {
                    *s = s.clone().under();
                }
            }
        }
        let Some((spec, results)) = visitor else {
            return series;
        };
        for l in spec.effect_lines(results) {
            let colour = lines
                .iter()
                .zip(&series)
                .find(|(r, _)| r.name == l.name && r.kind == LineKind::Measured)
                .map(|(_, s)| s.colour.clone());
            if let (LineKind::Measured, Some(colour)) = (l.kind, colour) {
                let points = l.points.iter().map(|(x, s)| (*x, s.mean)).collect();
                series.push(Series::new(format!("{} (yours)", l.name), colour, points).over());
            }
        }
        series
    }

    /// The visitor's sweep (`spec` on `base`, its finished `results`) held against this.
    pub fn compare(
        &self,
        spec: &SweepSpec,
        base: &ExperimentConfig,
        results: &[SweepResult],
    ) -> Comparison {
        let reference = self.lines();
        let values = &spec.axes[0].values;
        let xs = spec.x_positions();
        let mut checks = Vec::new();
        for line in spec.effect_lines(results) {
            let Some(r) = reference
                .iter()
                .find(|r| r.name == line.name && r.kind == LineKind::Measured)
                .filter(|_| line.kind == LineKind::Measured && spec.effect == self.spec.effect)
            else {
                continue;
            };
            for (x, value) in &line.points {
                let Some((_, stat)) = r.points.iter().find(|(rx, _)| rx == x) else {
                    continue;
                };
                let at = xs.iter().position(|v| v == x).unwrap_or(0);
                checks.push(PointCheck {
                    line: line.name.clone(),
                    point: format!("{}={}", spec.axes[0].key, values[at]),
                    value: *value,
                    reference: *stat,
                    inside: (value.mean - stat.mean).abs() <= band(*stat),
                });
            }
        }
        Comparison {
            checks,
            settings: self.settings_differ(base),
            seeds: (spec.seeds, self.spec.seeds),
        }
    }

    /// The knobs (all but the seed) that `base` sets differently from the reference's runs.
    pub fn settings_differ(&self, base: &ExperimentConfig) -> Vec<String> {
        PARAMS
            .iter()
            .filter(|p| p.key != "seed")
            .filter_map(|p| {
                let (mine, theirs) = (base.get(p.key)?, self.config.get(p.key)?);
                (mine != theirs).then(|| format!("{}={mine} (the reference: {theirs})", p.key))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed reference, as the page ships it.
    fn committed() -> References {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reproduce/results.json");
        References::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn every_finding_in_the_committed_results_has_a_figure() {
        let refs = committed();
        let mut found = 0;
        for p in super::super::PRESETS {
            let Some(r) = refs.get(p.name) else { continue };
            found += 1;
            let figure = r.figure(None);
            assert!(
                figure
                    .iter()
                    .any(|s| !s.points.is_empty() && !s.spread.is_empty()),
                "{}: no band",
                p.name
            );
            assert!(r.about().contains("reproduce --scale"), "{}", r.about());
            // Its own runs sit inside their own band, whatever the verdict.
            let own = r.compare(&r.spec, &r.config, &r.report.results);
            assert_eq!(own.inside(), own.checks.len(), "{}", p.name);
            assert!(own.settings.is_empty(), "{}: {:?}", p.name, own.settings);
        }
        assert!(found >= 5, "only {found} findings have reference runs");
    }

    /// The shipped reference is the presets' own: every finding that needs no file has runs
    /// there of its own grid and its own `--scale small` settings (else rerun `reproduce` into
    /// `docs/reproduce`).
    #[test]
    fn the_committed_results_are_every_presets_current_recipe() {
        let refs = committed();
        for p in super::super::PRESETS.iter().filter(|p| !p.needs_file) {
            let r = refs
                .get(p.name)
                .unwrap_or_else(|| panic!("{}: no reference runs", p.name));
            assert!(
                p.matches(&r.spec),
                "{}: the reference ran another grid",
                p.name
            );
            let small = p.small_experiment();
            let differ: Vec<String> = PARAMS
                .iter()
                .filter(|k| k.key != "seed")
                .filter_map(|k| {
                    let (mine, theirs) = (small.get(k.key)?, r.config.get(k.key)?);
                    (mine != theirs).then(|| format!("{}: {mine} vs {theirs}", k.key))
                })
                .collect();
            assert!(
                differ.is_empty(),
                "{}: the reference ran {differ:?}",
                p.name
            );
        }
    }

    #[test]
    fn a_one_seed_run_is_a_comparison_naming_each_point() {
        let refs = committed();
        let r = refs
            .get("colour-shape")
            .expect("colour vs shape in the reference");
        // Seed 0 of every point, then the shape probe of the jittered point moved far away.
        let mut one: Vec<SweepResult> = r
            .report
            .results
            .iter()
            .filter(|x| x.seed == r.config.seed)
            .cloned()
            .collect();
        let spec = r.spec.clone().with_seeds(1).unwrap();
        let c = r.compare(&spec, &r.config, &one);
        // Every measured point of every feature (shape and colour at both jitters) is judged.
        assert_eq!(c.checks.len(), 4, "{:?}", c.checks);
        let last = one.last_mut().unwrap();
        last.metrics
            .probes
            .get_mut("shape")
            .unwrap()
            .offline_test_acc = 0.99;
        let c = r.compare(&spec, &r.config, &one);
        let outside = c
            .checks
            .iter()
            .find(|p| !p.inside && p.line == "shape")
            .unwrap();
        assert!(
            outside.sentence().contains("shape: 0.990, outside"),
            "{}",
            outside.sentence()
        );
        let text = c.headline(&r);
        assert!(
            text.contains("comparison, not a verdict") && !text.contains("1 seed(s)"),
            "{text}"
        );
        // Other settings are named.
        let mut base = r.config.clone();
        base.steps = 7;
        assert!(
            r.compare(&spec, &base, &one)
                .headline(&r)
                .contains("steps=7")
        );
        // The visitor's lines go over the reference's, in the same colours.
        let figure = r.figure(Some((&spec, &one)));
        let yours = figure.iter().find(|s| s.name == "shape (yours)").unwrap();
        let theirs = figure
            .iter()
            .find(|s| s.name == "shape (reference)")
            .unwrap();
        assert_eq!(yours.colour, theirs.colour);
        assert!(theirs.is_reference() && !yours.is_reference());
    }
}
