//! `reproduce`: every preset's sweep, natively, into a report folder — the paper's figures at
//! our scale, with each finding's claims checked on the measured numbers.

use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use super::train::{Backend, effect_svg, run_sweep};
use super::{CliError, Scale, find_preset, read_data_files, write_file};
use crate::learn::backend::BackendKind;
use crate::presets::{Check, PRESETS, Preset};
use crate::sweep::SweepResult;
use crate::url::encode_with_sweep;

#[derive(Args)]
pub struct ReproduceArgs {
    /// The report folder (created; files in it are overwritten).
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// How big each run is (`small`: about a minute per run on 2 CPU cores).
    #[arg(long, value_enum, default_value = "small")]
    scale: Scale,
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
    results: Vec<SweepResult>,
    checks: Vec<CheckReport>,
}

#[derive(Serialize)]
struct CheckReport {
    claim: String,
    holds: bool,
    evidence: String,
}

impl From<Check> for CheckReport {
    fn from(c: Check) -> Self {
        Self {
            claim: c.claim,
            holds: c.holds,
            evidence: c.evidence,
        }
    }
}

pub fn run(args: ReproduceArgs) -> Result<(), CliError> {
    if args.list {
        for p in PRESETS {
            println!(
                "{:<18} {} runs  {}\n{:<18} {}",
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
    let chosen: Vec<&Preset> = PRESETS
        .iter()
        .filter(|p| args.only.is_empty() || args.only.iter().any(|n| n == p.name))
        .collect();
    std::fs::create_dir_all(&args.out).map_err(CliError::file(&args.out))?;
    let write = |name: &str, text: &str| write_file(&args.out.join(name), text);
    let backend = BackendKind::from(args.backend);
    let start = Instant::now();
    let mut reports = Vec::new();
    let mut skipped = Vec::new();
    for preset in chosen {
        let mut base = preset.experiment();
        args.scale.apply(&mut base);
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
        let spec = preset.sweep_spec();
        let link = encode_with_sweep(&base, Some(&spec));
        eprintln!("== {} ({} runs): {link}", preset.name, spec.runs());
        let t = Instant::now();
        let results = run_sweep(&spec, &base, file.as_ref(), backend, args.quiet)?;
        let seconds = t.elapsed().as_secs_f64();
        write(&format!("{}.csv", preset.name), &spec.csv(&results))?;
        write(
            &format!("{}.svg", preset.name),
            &effect_svg(
                &format!("{} — {}", preset.title, spec.effect.label()),
                &spec,
                &results,
            ),
        )?;
        let checks: Vec<CheckReport> = preset
            .check(&results)
            .into_iter()
            .map(CheckReport::from)
            .collect();
        for c in &checks {
            eprintln!(
                "  {} {} — {}",
                if c.holds { "holds:" } else { "DOES NOT HOLD:" },
                c.claim,
                c.evidence
            );
        }
        reports.push((
            preset,
            PresetReport {
                preset: preset.name,
                link,
                seconds,
                results,
                checks,
            },
        ));
        // Written after every preset, so a long run that is stopped keeps what it finished.
        write("report.md", &markdown(&args, &reports, &skipped, start))?;
    }
    write("report.md", &markdown(&args, &reports, &skipped, start))?;
    let json: Vec<&PresetReport> = reports.iter().map(|(_, r)| r).collect();
    write(
        "results.json",
        &serde_json::to_string_pretty(&json).expect("serialisable"),
    )?;
    let (held, total) = reports
        .iter()
        .flat_map(|(_, r)| &r.checks)
        .fold((0, 0), |(h, t), c| (h + c.holds as usize, t + 1));
    println!(
        "{} presets, {} runs in {:.1} min; {held} of {total} claims hold at this scale\nreport: {}",
        reports.len(),
        reports.iter().map(|(_, r)| r.results.len()).sum::<usize>(),
        start.elapsed().as_secs_f64() / 60.0,
        args.out.join("report.md").display()
    );
    Ok(())
}

fn markdown(
    args: &ReproduceArgs,
    reports: &[(&Preset, PresetReport)],
    skipped: &[&str],
    start: Instant,
) -> String {
    let mut md = String::from("# Contrastive Playground — the paper's findings at our scale\n\n");
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let _ = writeln!(
        md,
        "Scale `{:?}` (`{}`), backend {}, {threads} CPU threads, {:.1} min in all. \
         Regenerate with `contrastive-playground reproduce --scale {} --out {}`.\n",
        args.scale,
        args.scale.overrides(),
        BackendKind::from(args.backend).name(),
        start.elapsed().as_secs_f64() / 60.0,
        format!("{:?}", args.scale).to_lowercase(),
        args.out.display()
    );
    md.push_str("| preset | runs | minutes | claims that hold |\n|---|---|---|---|\n");
    for (p, r) in reports {
        let held = r.checks.iter().filter(|c| c.holds).count();
        let _ = writeln!(
            md,
            "| [{}](#{}) | {} | {:.1} | {held} / {} |",
            p.name,
            p.name,
            r.results.len(),
            r.seconds / 60.0,
            r.checks.len()
        );
    }
    for name in skipped {
        let _ = writeln!(md, "| {name} | skipped: needs `--data-file` | | |");
    }
    for (p, r) in reports {
        let spec = p.sweep_spec();
        let _ = write!(
            md,
            "\n## {}\n\n{}\n\n{}\n\nLink (open it in the page to rerun the sweep): `?{}`\n\n\
             ![{}]({}.svg)\n\n{}: \n\n{}\n",
            p.name,
            p.title,
            p.look_for,
            r.link,
            p.name,
            p.name,
            spec.effect.label(),
            spec.markdown_table(&r.results)
        );
        for c in &r.checks {
            let _ = writeln!(
                md,
                "- {} {} — {}",
                if c.holds {
                    "✅ holds:"
                } else {
                    "❌ does not hold:"
                },
                c.claim,
                c.evidence
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
