//! `sweep`: a grid of configs over one or two knobs and several seeds; the effect table, one CSV
//! row per run (written as each run finishes), and the effect chart.

use clap::Args;
use indicatif::{MultiProgress, ProgressDrawTarget};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Instant;

use super::train::{Backend, run_bar, train_one};
use super::{CliError, Scale, config_from_arg, read_data_files, write_file};
use crate::data::generate;
use crate::data::loaders::LoadedSet;
use crate::learn::backend::BackendKind;
use crate::params::ExperimentConfig;
use crate::presets::Preset;
use crate::record::RunRecord;
use crate::render::svg::line_chart_file;
use crate::sweep::report::EffectLine;
use crate::sweep::shard::Shard;
use crate::sweep::{Metric, SweepResult, SweepRun, SweepSpec, chart_series};
use crate::url::encode_with_sweep;

/// A sweep's runs as JSON (`--json`): its link (base config, grid, seeds) and every result, so
/// shards can be merged.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct SweepOutput {
    pub link: String,
    pub results: Vec<SweepResult>,
}

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

/// How many runs of a grid train at once: `--jobs`, else one per core on the CPU backend (a run
/// keeps about one core busy) and one on wgpu (the runs would share one device).
pub fn jobs(asked: Option<usize>, backend: BackendKind) -> Result<usize, CliError> {
    match asked {
        Some(0) => Err(CliError::Usage("--jobs must be at least 1".into())),
        Some(n) => Ok(n),
        None if backend == BackendKind::Cpu => {
            Ok(std::thread::available_parallelism().map_or(1, |n| n.get()))
        }
        None => Ok(1),
    }
}

/// Runs every point of `spec` on top of `base`, `jobs` at a time. Every run draws only from
/// its own seed, so the results do not depend on `jobs`; they are filed in grid order. A run
/// that fails (a NaN loss, a device error) is recorded as failed with its reason and the grid
/// goes on; `finished` is called with every result so far each time the grid's next result
/// is in, so a stopped sweep keeps what it finished.
#[allow(clippy::too_many_arguments)]
pub fn run_sweep(
    spec: &SweepSpec,
    base: &ExperimentConfig,
    shard: Option<Shard>,
    file: Option<&LoadedSet>,
    backend: BackendKind,
    jobs: usize,
    quiet: bool,
    mut finished: impl FnMut(&[SweepResult]) -> Result<(), CliError>,
) -> Result<Vec<SweepResult>, CliError> {
    let mut sweep = match shard {
        Some(shard) => SweepRun::sharded(spec.clone(), base, shard),
        None => SweepRun::new(spec.clone(), base),
    };
    let points = sweep.points.clone();
    let total = points.len();
    let next = AtomicUsize::new(0);
    let bars = match quiet {
        true => MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
        false => MultiProgress::new(),
    };
    // A line above the bars (or plain stderr when they are hidden).
    let say = |line: String| match quiet {
        true => eprintln!("{line}"),
        false => {
            let _ = bars.println(line);
        }
    };
    let (tx, rx) = mpsc::channel::<(usize, Result<RunRecord, CliError>)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(total) {
            let tx = tx.clone();
            let (points, next, bars, say) = (&points, &next, &bars, &say);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(point) = points.get(i) else { break };
                    let seed = match spec.seeds > 1 {
                        true => format!(" seed {}", point.config.seed),
                        false => String::new(),
                    };
                    let label = format!("[{}/{total}] {}{seed}", i + 1, spec.label(&point.values));
                    say(label.clone());
                    let bar = bars.add(run_bar(point.config.steps, format!("{label} "), quiet));
                    let outcome = generate(&point.config, file)
                        .map_err(CliError::from)
                        .and_then(|ds| train_one(&point.config, Arc::new(ds), backend, &bar));
                    bars.remove(&bar);
                    // The receiver is gone after an error: stop after the run we were in.
                    if tx.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Runs finish out of order; file each once every run before it is filed.
        let mut waiting = BTreeMap::new();
        for (i, outcome) in rx {
            waiting.insert(i, outcome);
            while let Some(outcome) = waiting.remove(&sweep.results.len()) {
                match outcome {
                    Ok(record) => {
                        sweep.finish_current(&record);
                    }
                    Err(CliError::Train(e)) => {
                        say(format!(
                            "  {} failed: {e}",
                            spec.label(&points[sweep.results.len()].values)
                        ));
                        sweep.fail_current(&e.to_string());
                    }
                    Err(e) => return Err(e),
                }
                finished(&sweep.results)?;
            }
        }
        Ok(())
    })?;
    Ok(sweep.results)
}

/// The effect chart of a finished (or partial) sweep as an SVG file, with any published lines.
pub fn effect_svg(
    title: &str,
    spec: &SweepSpec,
    results: &[SweepResult],
    references: Vec<EffectLine>,
) -> String {
    let mut lines = spec.effect_lines(results);
    lines.extend(references);
    line_chart_file(title, &chart_series(&lines), &spec.chart_axes())
}

/// Where a sweep's outputs go.
pub struct Outputs<'a> {
    pub csv: Option<&'a Path>,
    pub svg: Option<&'a Path>,
    pub json: Option<&'a Path>,
    pub references: &'a [EffectLine],
}

/// Writes the CSV, the chart and the JSON of what has finished so far.
pub fn save(
    spec: &SweepSpec,
    link: &str,
    results: &[SweepResult],
    out: &Outputs,
) -> Result<(), CliError> {
    if let Some(path) = out.csv {
        write_file(path, spec.csv(results))?;
    }
    if let Some(path) = out.svg {
        let svg = effect_svg(spec.effect.label(), spec, results, out.references.to_vec());
        write_file(path, svg)?;
    }
    if let Some(path) = out.json {
        let output = SweepOutput {
            link: link.to_string(),
            results: results.to_vec(),
        };
        write_file(
            path,
            serde_json::to_string_pretty(&output).expect("serialisable"),
        )?;
    }
    Ok(())
}

pub fn sweep(args: SweepArgs) -> Result<(), CliError> {
    let (base, link_sweep) =
        config_from_arg(args.preset.as_deref(), args.scale, &args.config, args.force)?;
    let preset = args.preset.as_deref().and_then(Preset::find);
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
    // A preset's published numbers belong on its own sweep only.
    let references = preset
        .filter(|p| p.sweep_spec().axes == spec.axes)
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
    let results = run_sweep(
        &spec,
        &base,
        args.shard,
        file.as_ref(),
        args.backend.into(),
        jobs,
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
    if let Some(path) = &args.out {
        println!("csv: {}", path.display());
    }
    if let Some(path) = &args.svg {
        println!("svg: {}", path.display());
    }
    Ok(())
}
