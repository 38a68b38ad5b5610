//! What a finding is: a link, a sweep, what to look for, published numbers, and the rule that
//! judges the sweep's runs.

use crate::params::ExperimentConfig;
use crate::sweep::report::EffectLine;
use crate::sweep::{Metric, SweepResult, SweepSpec};
use crate::url::{decode, decode_onto};
use crate::verdict::Verdict;

/// Published numbers drawn beside ours: one line of the effect chart.
#[derive(Clone, Copy, Debug)]
pub struct Reference {
    pub name: &'static str,
    /// (first-axis value, metric).
    pub points: &'static [(f32, f32)],
}

/// A finding, ready to run.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// `--preset NAME` and the page menu's value.
    pub name: &'static str,
    pub title: &'static str,
    /// The experiment as the paper runs it (or as close as we come), as link text.
    pub config: &'static str,
    /// What `--scale small` changes for a CPU (link text on top of `config`).
    pub small: &'static str,
    /// The sweep, as `sweep=` text.
    pub sweep: &'static str,
    pub effect: Metric,
    /// What to look for, shown under the menu and written into the report.
    pub look_for: &'static str,
    /// The page's article on the finding, ending with "Look for: …" (empty: none), and its
    /// heading (plainer than `title`, which the menu, the reports and the verdicts use).
    pub explain: &'static str,
    pub explain_title: &'static str,
    /// How this differs from the paper, and why.
    pub differs: &'static str,
    /// Needs the user's own MNIST/CIFAR file (`base=file`).
    pub needs_file: bool,
    /// A short demonstration of another preset's finding: the page opens with it, and its
    /// `reproduce` runs are the page's reference for it; no article of its own.
    pub demo: bool,
    pub references: &'static [Reference],
    pub(super) verdict: fn(&SweepSpec, &[SweepResult]) -> Verdict,
}

impl Preset {
    /// Whether this preset's sweep has the axes of `spec`: the one answer to "which preset is
    /// this sweep?". Callers decide whether demonstrations count.
    pub fn matches(&self, spec: &SweepSpec) -> bool {
        self.sweep_spec().axes == spec.axes
    }

    /// The experiment as written.
    pub fn experiment(&self) -> ExperimentConfig {
        let d = decode(self.config);
        debug_assert!(d.warnings.is_empty(), "{}: {:?}", self.name, d.warnings);
        d.config
    }

    /// The experiment with `--scale small`'s changes.
    pub fn small_experiment(&self) -> ExperimentConfig {
        decode_onto(self.experiment(), self.small).config
    }

    pub fn sweep_spec(&self) -> SweepSpec {
        SweepSpec::parse(self.sweep, self.effect).expect("preset sweeps are valid")
    }

    /// The published numbers as effect-chart lines.
    pub fn reference_lines(&self) -> Vec<EffectLine> {
        self.references
            .iter()
            .map(|r| EffectLine::reference(r.name, r.points))
            .collect()
    }

    /// The finding's verdict on the sweep's results (over however many seeds ran).
    pub fn verdict(&self, results: &[SweepResult]) -> Verdict {
        let spec = self.sweep_spec();
        let mut v = (self.verdict)(&spec, results);
        v.finding = self.title.to_string();
        v
    }
}
