//! `reproduce`: every preset's sweep over several seeds, natively, into a report folder — the
//! paper's findings at our scale, each with one verdict computed from the runs (holds, or not
//! shown at this scale, with the numbers). Everything is rewritten after every run, so a
//! stopped run keeps what it finished.

use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use super::sweep::{effect_svg, run_sweep};
use super::train::Backend;
use super::{CliError, Scale, find_preset, read_data_files, write_file};
use crate::learn::backend::BackendKind;
use crate::presets::{PRESETS, Preset};
use crate::sweep::{SweepResult, SweepSpec};
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
    /// An MNIST IDX pair or CIFAR-10 .bin for the `your-data` preset.
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// List the presets and exit.
    #[arg(long)]
    list: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

/// What one preset produced, as saved in `results.json`.
#[derive(Serialize)]
struct PresetReport {
    preset: &'static str,
    link: String,
    seconds: f64,
    verdict: Verdict,
    results: Vec<SweepResult>,
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
    let write = |name: &str, text: &str| write_file(&args.out.join(name), text);
    let backend = BackendKind::from(args.backend);
    let start = Instant::now();
    let mut reports: Vec<(&Preset, PresetReport)> = Vec::new();
    let mut skipped = Vec::new();
    for preset in chosen {
        let mut base = preset.experiment();
        args.scale.apply(Some(preset), &mut base);
        let file = if preset.needs_file {
            match read_data_files(&args.data_file, base.image_size)? {
                Some(f) => Some(f),
                None => {
                    eprintln!("{}: skipped (needs --data-file)", preset.name);
                    skipped.push(preset.name);
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
        let save = |results: &[SweepResult], done: &[(&Preset, PresetReport)]| {
            write(&format!("{}.csv", preset.name), &spec.csv(results))?;
            write(
                &format!("{}.svg", preset.name),
                &effect_svg(
                    &format!("{} — {}", preset.title, spec.effect.label()),
                    &spec,
                    results,
                    preset.reference_lines(),
                ),
            )?;
            let current = PresetReport {
                preset: preset.name,
                link: link.clone(),
                seconds: t.elapsed().as_secs_f64(),
                verdict: preset.verdict(results),
                results: results.to_vec(),
            };
            let mut all: Vec<(&Preset, &PresetReport)> =
                done.iter().map(|(p, r)| (*p, r)).collect();
            all.push((preset, &current));
            write("report.md", &markdown(&args, &all, &skipped, start))?;
            let json: Vec<&PresetReport> = all.iter().map(|(_, r)| *r).collect();
            write(
                "results.json",
                &serde_json::to_string_pretty(&json).expect("serialisable"),
            )
        };
        let results = run_sweep(&spec, &base, file.as_ref(), backend, args.quiet, |r| {
            save(r, &reports)
        })?;
        let verdict = preset.verdict(&results);
        eprintln!(
            "  {}: {}",
            match verdict.outcome {
                Outcome::Holds => "HOLDS",
                Outcome::NotShown => "NOT SHOWN",
            },
            verdict.evidence
        );
        reports.push((
            preset,
            PresetReport {
                preset: preset.name,
                link,
                seconds: t.elapsed().as_secs_f64(),
                verdict,
                results,
            },
        ));
    }
    let all: Vec<(&Preset, &PresetReport)> = reports.iter().map(|(p, r)| (*p, r)).collect();
    write("report.md", &markdown(&args, &all, &skipped, start))?;
    let held = reports.iter().filter(|(_, r)| r.verdict.holds()).count();
    println!(
        "{} findings, {} runs in {:.1} min; {held} hold, {} not shown at this scale\nreport: {}",
        reports.len(),
        reports.iter().map(|(_, r)| r.results.len()).sum::<usize>(),
        start.elapsed().as_secs_f64() / 60.0,
        reports.len() - held,
        args.out.join("report.md").display()
    );
    Ok(())
}

fn markdown(
    args: &ReproduceArgs,
    reports: &[(&Preset, &PresetReport)],
    skipped: &[&str],
    start: Instant,
) -> String {
    let mut md = String::from("# Contrastive Playground — the paper's findings at our scale\n\n");
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let scale = format!("{:?}", args.scale).to_lowercase();
    let _ = writeln!(
        md,
        "Scale `{scale}`, {} seeds per point, backend {}, {threads} CPU threads, {:.1} min in \
         all. Regenerate with `contrastive-playground reproduce --scale {scale} --seeds {} --out \
         {}`.\n\nEach finding has one verdict: it **holds** when every check exceeds its margin \
         (at least 0.05 and twice the pooled seed spread), in the predicted direction, after \
         its gate (the feature was learnable at all); otherwise it is **not shown at this \
         scale**, with the check that failed.\n",
        args.seeds,
        BackendKind::from(args.backend).name(),
        start.elapsed().as_secs_f64() / 60.0,
        args.seeds,
        args.out.display()
    );
    md.push_str("| finding | runs | minutes | verdict |\n|---|---|---|---|\n");
    for (p, r) in reports {
        let _ = writeln!(
            md,
            "| [{}](#{}) | {} | {:.1} | {} |",
            p.title,
            p.name,
            r.results.len(),
            r.seconds / 60.0,
            verdict_word(&r.verdict)
        );
    }
    for name in skipped {
        let _ = writeln!(md, "| {name} | skipped: needs `--data-file` | | |");
    }
    for (p, r) in reports {
        let spec: SweepSpec = p.sweep_spec();
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
        let failed: Vec<&SweepResult> = r.results.iter().filter(|x| x.failed.is_some()).collect();
        for f in failed {
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
