//! `reproduce`: every preset's sweep over several seeds, natively, into a report folder — the
//! paper's findings at our scale, each with one verdict computed from the runs (holds, or not
//! shown at this scale, with the numbers). Everything is rewritten after every run, so a
//! stopped run keeps what it finished. `--shard K/N` runs every N-th run of every sweep, for
//! a cluster; `merge` puts the shards' folders back together.
//!
//! The report (`report.md`, `results.json`, one CSV and SVG per finding) depends only on the
//! runs, so merged shards equal an unsharded run byte for byte; times go to `timing.json`.

use clap::Args;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::sweep::{effect_svg, jobs, run_sweep};
use super::train::Backend;
use super::{CliError, Scale, find_preset, read_data_files, write_file};
use crate::learn::backend::BackendKind;
use crate::presets::{PRESETS, Preset};
use crate::sweep::SweepResult;
use crate::sweep::shard::Shard;
use crate::url::encode_with_sweep;
use crate::verdict::{Outcome, Verdict};

#[derive(Args)]
pub struct ReproduceArgs {
    /// The report folder (created; files in it are overwritten).
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// How big each run is (`small`: each preset's CPU recipe).
    #[arg(long, value_enum, default_value = "small")]
    scale: Scale,
    /// Runs per grid point (consecutive seeds); a verdict needs at least 2.
    #[arg(long, default_value_t = 3)]
    seeds: usize,
    /// Only these presets (repeat); default all. `your-data` runs only with `--data-file`.
    #[arg(long)]
    only: Vec<String>,
    /// Run only every N-th run of each sweep, starting at the K-th (`K/N`); merge the shards'
    /// folders with `contrastive-playground merge`.
    #[arg(long)]
    shard: Option<Shard>,
    /// An MNIST IDX pair or CIFAR-10 .bin for the `your-data` preset.
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Runs trained at once (default: one per core on the CPU, one on wgpu). The report does
    /// not depend on it.
    #[arg(long)]
    jobs: Option<usize>,
    /// List the presets and exit.
    #[arg(long)]
    list: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

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
    /// `K/N` for one shard's folder; absent for a whole run (or a merged one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub skipped: Vec<String>,
    pub presets: Vec<PresetReport>,
}

pub fn run(args: ReproduceArgs) -> Result<(), CliError> {
    if args.list {
        for p in PRESETS {
            println!(
                "{:<20} {} runs  {}\n{:<20} {}",
                p.name,
                p.sweep_spec().runs(),
                p.title,
                "",
                encode_with_sweep(&p.experiment(), Some(&p.sweep_spec()))
            );
        }
        return Ok(());
    }
    for name in &args.only {
        find_preset("--only", name)?;
    }
    let chosen: Vec<&'static Preset> = PRESETS
        .iter()
        .filter(|p| match args.only.is_empty() {
            true => !p.demo,
            false => args.only.iter().any(|n| n == p.name),
        })
        .collect();
    std::fs::create_dir_all(&args.out).map_err(CliError::file(&args.out))?;
    let backend = BackendKind::from(args.backend);
    let jobs = jobs(args.jobs, backend)?;
    let start = Instant::now();
    let mut results = Results {
        scale: format!("{:?}", args.scale).to_lowercase(),
        seeds: args.seeds,
        backend: backend.name().into(),
        shard: args.shard.map(|s| s.to_string()),
        skipped: Vec::new(),
        presets: Vec::new(),
    };
    let mut minutes = serde_json::Map::new();
    for preset in chosen {
        let mut base = preset.experiment();
        args.scale.apply(Some(preset), &mut base);
        let file = if preset.needs_file {
            match read_data_files(&args.data_file, base.image_size)? {
                Some(f) => Some(f),
                None => {
                    eprintln!("{}: skipped (needs --data-file)", preset.name);
                    results.skipped.push(preset.name.into());
                    continue;
                }
            }
        } else {
            None
        };
        let spec = preset
            .sweep_spec()
            .with_seeds(args.seeds)
            .map_err(|e| CliError::Usage(format!("--seeds: {e}")))?;
        let link = encode_with_sweep(&base, Some(&spec));
        eprintln!("== {} ({} runs): {link}", preset.name, spec.runs());
        let t = Instant::now();
        results.presets.push(PresetReport {
            preset: preset.name.into(),
            link,
            verdict: preset.verdict(&[]),
            results: Vec::new(),
        });
        let done = run_sweep(
            &spec,
            &base,
            args.shard,
            file.as_ref(),
            backend,
            jobs,
            args.quiet,
            |finished| {
                let last = results.presets.last_mut().expect("pushed above");
                last.results = finished.to_vec();
                last.verdict = preset.verdict(finished);
                write_report(&args.out, &results)
            },
        )?;
        let verdict = preset.verdict(&done);
        eprintln!(
            "  {}: {}",
            match verdict.outcome {
                Outcome::Holds => "HOLDS",
                Outcome::NotShown => "NOT SHOWN",
            },
            verdict.evidence
        );
        minutes.insert(
            preset.name.into(),
            (t.elapsed().as_secs_f64() / 60.0).into(),
        );
        write_file(
            &args.out.join("timing.json"),
            serde_json::to_string_pretty(&serde_json::json!({
                "threads": std::thread::available_parallelism().map_or(1, |t| t.get()),
                "jobs": jobs,
                "minutes": minutes,
                "total_minutes": start.elapsed().as_secs_f64() / 60.0,
            }))
            .expect("serialisable"),
        )?;
    }
    write_report(&args.out, &results)?;
    let held = results.presets.iter().filter(|r| r.verdict.holds()).count();
    println!(
        "{} findings, {} runs in {:.1} min; {held} hold, {} not shown at this scale\nreport: {}",
        results.presets.len(),
        results
            .presets
            .iter()
            .map(|r| r.results.len())
            .sum::<usize>(),
        start.elapsed().as_secs_f64() / 60.0,
        results.presets.len() - held,
        args.out.join("report.md").display()
    );
    Ok(())
}

/// Writes the whole report folder from `results`: `report.md`, `results.json`, and a CSV and
/// an SVG effect chart per finding.
pub fn write_report(dir: &Path, results: &Results) -> Result<(), CliError> {
    let write = |name: &str, text: &str| write_file(&dir.join(name), text);
    for r in &results.presets {
        let Some(preset) = Preset::find(&r.preset) else {
            continue;
        };
        let spec = preset
            .sweep_spec()
            .with_seeds(results.seeds)
            .map_err(|e| CliError::Usage(format!("{}: {e}", r.preset)))?;
        write(&format!("{}.csv", preset.name), &spec.csv(&r.results))?;
        write(
            &format!("{}.svg", preset.name),
            &effect_svg(
                &format!("{} — {}", preset.title, spec.effect.label()),
                &spec,
                &r.results,
                preset.reference_lines(),
            ),
        )?;
    }
    write("report.md", &markdown(results))?;
    write(
        "results.json",
        &serde_json::to_string_pretty(results).expect("serialisable"),
    )
}

fn markdown(results: &Results) -> String {
    let mut md = String::from("# Contrastive Playground — the paper's findings at our scale\n\n");
    let scale = &results.scale;
    let _ = writeln!(
        md,
        "Scale `{scale}`, {} seeds per point, backend {}{}. Regenerate with \
         `contrastive-playground reproduce --scale {scale} --seeds {}`.\n\nEach finding has one \
         verdict: it **holds** when every check exceeds its margin (at least 0.05 and twice the \
         pooled seed spread), in the predicted direction, after its gate (the feature was \
         learnable at all); otherwise it is **not shown at this scale**, with the check that \
         failed.\n",
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
             ![{}]({}.svg)\n\n{} (mean ± sd over seeds):\n\n{}\n",
            p.name,
            p.title,
            p.look_for,
            p.differs,
            verdict_word(&r.verdict),
            r.verdict.evidence,
            r.link,
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
