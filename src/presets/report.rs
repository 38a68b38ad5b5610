//! The report of `reproduce`: every finding's verdict and runs (`results.json`), and the folder
//! written from them (`report.md`, and a CSV and an SVG effect chart per finding). It depends
//! only on the runs, so merged shards equal an unsharded run byte for byte.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use super::Preset;
use crate::record::BackendKind;
use crate::sweep::SweepResult;
use crate::url::result::ExpectedResult;
use crate::url::with_result;
use crate::verdict::{MIN_MARGIN, Outcome, Verdict};

/// What one preset produced.
#[derive(Clone, Serialize, Deserialize)]
pub struct PresetReport {
    pub preset: String,
    pub link: String,
    pub verdict: Verdict,
    pub results: Vec<SweepResult>,
}

/// `results.json`: how the report was made and every run.
#[derive(Serialize, Deserialize)]
pub struct Results {
    pub scale: String,
    pub seeds: usize,
    pub backend: String,
    /// Where it ran: threads, architecture and system (each machine's, for merged shards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// `K/N` for one shard's folder; absent for a whole run (or a merged one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub skipped: Vec<String>,
    pub presets: Vec<PresetReport>,
}

impl Results {
    /// The report folder's files, named, in the order they are written: a CSV and an SVG effect
    /// chart per finding, then `report.md`, `links.txt` and `results.json`. An `Err` names a
    /// finding whose sweep cannot take the report's number of seeds.
    pub fn files(&self) -> impl Iterator<Item = Result<(String, String), String>> + '_ {
        let charts = self
            .presets
            .iter()
            .filter_map(|r| Some((r, Preset::find(&r.preset)?)))
            .flat_map(
                |(r, preset)| match preset.sweep_spec().with_seeds(self.seeds) {
                    Err(e) => vec![Err(format!("{}: {e}", r.preset))],
                    Ok(spec) => {
                        let title = format!("{} — {}", preset.title, spec.effect.label());
                        let svg = spec.effect_svg(&title, &r.results, preset.reference_lines());
                        vec![
                            Ok((format!("{}.csv", preset.name), spec.csv(&r.results))),
                            Ok((format!("{}.svg", preset.name), svg)),
                        ]
                    }
                },
            );
        let json = || serde_json::to_string_pretty(self).expect("serialisable");
        charts
            .chain(std::iter::once_with(|| {
                Ok(("report.md".into(), markdown(self)))
            }))
            .chain(std::iter::once_with(|| {
                Ok(("links.txt".into(), self.links()))
            }))
            .chain(std::iter::once_with(move || {
                Ok(("results.json".into(), json()))
            }))
    }
}

impl Results {
    /// One line per finding: its name and the link of its first run with that run's result
    /// (`reproduce-link` checks it, the page reproduces it).
    fn links(&self) -> String {
        self.presets
            .iter()
            .filter_map(|r| Some(format!("{}\t{}\n", r.preset, self.run_link(r)?)))
            .collect()
    }

    /// The link of a finding's first finished run, with its result.
    pub fn run_link(&self, report: &PresetReport) -> Option<String> {
        let run = report.results.iter().find(|r| r.failed.is_none())?;
        let backend = BackendKind::from_name(&self.backend)?;
        let result = ExpectedResult::from_metrics(backend, &run.fingerprint, &run.metrics);
        Some(format!("?{}", with_result(&run.config, &result)))
    }
}

fn markdown(results: &Results) -> String {
    let mut md = String::from("# Contrastive Playground — the paper's findings at our scale\n\n");
    let scale = &results.scale;
    let _ = writeln!(
        md,
        "Scale `{scale}`, {} seeds per point, backend {}{}. Regenerate with \
         `contrastive-playground reproduce --scale {scale} --seeds {}`.\n\nEach finding has one \
         verdict: it **holds** when every check exceeds its margin (at least {MIN_MARGIN} and \
         twice the pooled seed spread), in the predicted direction, after its gate (the feature \
         was learnable at all); otherwise it is **not shown at this scale**, with the check \
         that failed.\n",
        results.seeds,
        results.backend,
        results
            .shard
            .as_ref()
            .map_or(String::new(), |s| format!(", shard {s} only")),
        results.seeds,
    );
    md.push_str("| finding | runs | verdict |\n|---|---|---|\n");
    for r in &results.presets {
        let title = Preset::find(&r.preset).map_or(r.preset.as_str(), |p| p.title);
        let _ = writeln!(
            md,
            "| [{title}](#{}) | {} | {} |",
            r.preset,
            r.results.len(),
            verdict_word(&r.verdict)
        );
    }
    for name in &results.skipped {
        let _ = writeln!(md, "| {name} | skipped: needs `--data-file` | |");
    }
    for r in &results.presets {
        let Some(p) = Preset::find(&r.preset) else {
            continue;
        };
        let spec = p.sweep_spec();
        let _ = write!(
            md,
            "\n<a id=\"{}\"></a>\n## {}\n\n{}\n\n*How this differs from the paper:* {}\n\n\
             **Verdict: {}.** {}\n\nLink (open it in the page to rerun the sweep): `?{}`\n\n\
             {}![{}]({}.svg)\n\n{} (mean ± sd over seeds):\n\n{}\n",
            p.name,
            p.title,
            p.look_for,
            p.differs,
            verdict_word(&r.verdict),
            r.verdict.evidence,
            r.link,
            results.run_link(r).map_or(String::new(), |l| format!(
                "Its first run with its result (open it in the page, or check it with \
                 `contrastive-playground reproduce-link LINK`): `{l}`\n\n"
            )),
            p.name,
            p.name,
            spec.effect.label(),
            spec.markdown_table(&r.results)
        );
        for f in r.results.iter().filter(|x| x.failed.is_some()) {
            let _ = writeln!(
                md,
                "- failed run {} seed {}: {}",
                spec.label(&f.values),
                f.seed,
                f.failed.as_deref().unwrap_or_default()
            );
        }
        let _ = writeln!(
            md,
            "\nAll metrics per run: [{}.csv]({}.csv)",
            p.name, p.name
        );
    }
    md
}

fn verdict_word(v: &Verdict) -> &'static str {
    match v.outcome {
        Outcome::Holds => "holds",
        Outcome::NotShown => "not shown at this scale",
    }
}
