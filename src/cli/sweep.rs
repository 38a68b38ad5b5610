//! `sweep`: a grid of configs over one or two knobs and several seeds; the effect table, one CSV
//! row per run (written as each run finishes), and the effect chart.

use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

use super::common::{Backend, CliError, Scale, config_from_arg};
use super::files::read_data_files;
use super::outputs::{Outputs, save};
use super::runs::{jobs, train_grid};
use crate::presets::Preset;
use crate::sweep::parallel::SweepJob;
use crate::sweep::shard::Shard;
use crate::sweep::{Metric, SweepSpec};
use crate::url::encode_with_sweep;

#[derive(Args)]
pub struct SweepArgs {
    /// The base experiment (a link; a `sweep=` in it is used when there is no `--vary`).
    #[arg(long, default_value = "")]
    config: String,
    /// Run a config over the memory budget anyway (see README, "Limits").
    #[arg(long)]
    force: bool,
    /// Start from a preset: its experiment and its sweep. `--config` and `--vary` override.
    #[arg(long)]
    preset: Option<String>,
    /// A knob and its values, e.g. `bits=0,5,10,15,20`. Repeat for a grid (at most 2).
    #[arg(long)]
    vary: Vec<String>,
    /// Runs per grid point, with consecutive seeds (each point then shows mean ± sd).
    #[arg(long)]
    seeds: Option<usize>,
    /// What the effect table and chart show.
    #[arg(long, value_parser = Metric::parse)]
    effect: Option<Metric>,
    /// Resize every run (before `--config` applies): `small` is a preset's CPU recipe.
    #[arg(long, value_enum)]
    scale: Option<Scale>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Runs trained at once (default: one per core on the CPU, one on wgpu). The results do
    /// not depend on it.
    #[arg(long)]
    jobs: Option<usize>,
    /// CSV with one row per run, rewritten as each run finishes.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The effect chart as SVG.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// The link and every run as JSON, for `merge`.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Run only every N-th run of the grid, starting at the K-th (`K/N`); merge the shards'
    /// `--json` files with `contrastive-playground merge`.
    #[arg(long)]
    shard: Option<Shard>,
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    #[arg(long)]
    quiet: bool,
}

/// The grid: `--vary`, else the link's `sweep=`, else the preset's, with `--effect` and
/// `--seeds` applied.
fn grid(
    args: &SweepArgs,
    link_sweep: Option<SweepSpec>,
    preset: Option<&Preset>,
) -> Result<SweepSpec, CliError> {
    let mut spec = if args.vary.is_empty() {
        link_sweep
            .or(preset.map(|p| p.sweep_spec()))
            .ok_or_else(|| {
                CliError::Usage(
                    "nothing to sweep: give --vary key=v1,v2, a --preset, or a link with sweep="
                        .into(),
                )
            })?
    } else {
        let text: Vec<String> = args.vary.iter().map(|v| v.replacen('=', ":", 1)).collect();
        SweepSpec::parse(&text.join(";"), Metric::Offline)
            .map_err(|e| CliError::Usage(format!("--vary: {e}")))?
    };
    if let Some(e) = args.effect {
        spec.effect = e;
    }
    if let Some(n) = args.seeds {
        spec = spec
            .with_seeds(n)
            .map_err(|e| CliError::Usage(format!("--seeds: {e}")))?;
    }
    Ok(spec)
}

pub fn sweep(args: SweepArgs) -> Result<(), CliError> {
    let (base, link_sweep) =
        config_from_arg(args.preset.as_deref(), args.scale, &args.config, args.force)?;
    let preset = args.preset.as_deref().and_then(Preset::find);
    let spec = grid(&args, link_sweep, preset)?;
    // A preset's published numbers belong on its own sweep only.
    let references = preset
        .filter(|p| p.matches(&spec))
        .map(|p| p.reference_lines())
        .unwrap_or_default();
    let file = read_data_files(&args.data_file, base.image_size)?;
    let jobs = jobs(args.jobs, args.backend.into())?;
    let link = encode_with_sweep(&base, Some(&spec));
    let shard = args
        .shard
        .map_or(String::new(), |s| format!(" (shard {s})"));
    eprintln!("sweep {} runs{shard}: {link}", spec.runs());
    let start = Instant::now();
    let outputs = Outputs {
        csv: args.out.as_deref(),
        svg: args.svg.as_deref(),
        json: args.json.as_deref(),
        references: &references,
    };
    let job = SweepJob {
        spec: &spec,
        base: &base,
        shard: args.shard,
        jobs,
    };
    let results = train_grid(
        &job,
        args.backend.into(),
        file.as_ref(),
        args.quiet,
        |results| save(&spec, &link, results, &outputs),
    )?;
    println!("\n{}\n", spec.effect.label());
    print!("{}", spec.markdown_table(&results));
    let failed = results.iter().filter(|r| r.failed.is_some()).count();
    println!(
        "\n{} runs in {:.1} min{}",
        results.len(),
        start.elapsed().as_secs_f64() / 60.0,
        if failed > 0 {
            format!(" ({failed} failed, marked in the CSV)")
        } else {
            String::new()
        }
    );
    if args.shard.is_none() {
        print_verdict(preset, &spec, &results);
    }
    if let Some(path) = &args.out {
        println!("csv: {}", path.display());
    }
    if let Some(path) = &args.svg {
        println!("svg: {}", path.display());
    }
    Ok(())
}

/// A finding's grid gets its verdict, whatever the seed or scale it was run at (a shard has
/// only part of the runs, so it gets none).
fn print_verdict(preset: Option<&Preset>, spec: &SweepSpec, results: &[crate::sweep::SweepResult]) {
    if let Some(p) = preset
        .filter(|p| p.matches(spec))
        .or_else(|| Preset::find_by_sweep(spec))
    {
        let v = p.verdict(results);
        let outcome = if v.holds() { "holds" } else { "not shown" };
        println!("\nverdict ({}): {outcome}. {}", p.name, v.evidence);
    }
}
