//! `train` and `sweep`: run a link headless and print what the encoder learned and suppressed.

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::{Scale, config_from_arg, read_data_files};
use crate::data::loaders::LoadedSet;
use crate::data::{Dataset, generate};
use crate::learn::backend::{BackendKind, block_on, device};
use crate::learn::run::{Event, RunRecord, advance};
use crate::learn::train::Trainer;
use crate::params::ExperimentConfig;
use crate::presets::Preset;
use crate::render::svg::line_chart_file;
use crate::sweep::{Effect, SweepResult, SweepSpec, chart_series};
use crate::url::{encode, encode_with_sweep};

#[derive(Clone, Copy, ValueEnum)]
pub enum Backend {
    /// burn's flex CPU backend.
    Cpu,
    /// burn's wgpu backend (Vulkan/Metal; software lavapipe without a GPU).
    Wgpu,
}

impl From<Backend> for BackendKind {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Cpu => BackendKind::Cpu,
            Backend::Wgpu => BackendKind::Wgpu,
        }
    }
}

#[derive(Args)]
pub struct TrainArgs {
    /// The experiment: a page URL, `?query`, `#hash` or bare `key=value&...`.
    #[arg(long, default_value = "")]
    config: String,
    /// Start from a preset's experiment (see `reproduce --list`); `--config` overrides it.
    #[arg(long)]
    preset: Option<String>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Write the run (config, fingerprint, metric history, final accuracies) as JSON.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Your own data for `base=file` (see `dataset --help`).
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Trains `config` on `ds` to the end, reporting progress on a bar unless `quiet`.
pub fn train_one(
    config: &ExperimentConfig,
    ds: Arc<Dataset>,
    backend: BackendKind,
    quiet: bool,
) -> Result<RunRecord, String> {
    let device = device(backend)?;
    let mut record = RunRecord::new(encode(config), ds.fingerprint(), backend.name().into());
    let mut trainer =
        Trainer::new(config, Arc::clone(&ds), backend, &device).map_err(|e| e.to_string())?;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(config.steps as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} steps [{elapsed_precise} < {eta_precise}] {msg}",
        )
        .expect("valid template"),
    );
    let start = Instant::now();
    let clock = || start.elapsed().as_secs_f64();
    loop {
        let events = block_on(advance(&mut trainer, clock)).map_err(|e| e.to_string())?;
        for event in &events {
            record.record(event, config.block);
            if let Event::Metrics(m) = event {
                let probes: Vec<String> = ds
                    .features
                    .iter()
                    .zip(&m.probe_train_acc)
                    .map(|(f, a)| format!("{} {:.2}", f.name, a))
                    .collect();
                bar.set_message(format!(
                    "loss {:.3} | contrastive acc {:.2} | probe (train) {}",
                    m.loss,
                    m.contrastive_acc,
                    probes.join(", ")
                ));
            }
        }
        bar.set_position(trainer.steps_done() as u64);
        if trainer.finished() && trainer.steps_done() > 0 {
            // `advance` evaluates after the last step; one more call would do nothing.
            break;
        }
    }
    bar.finish_and_clear();
    Ok(record)
}

pub fn run(args: TrainArgs) -> Result<(), String> {
    let (config, _) = config_from_arg(args.preset.as_deref(), &args.config)?;
    let file = read_data_files(&args.data_file, config.image_size)?;
    let ds = Arc::new(generate(&config, file.as_ref()).map_err(|e| e.to_string())?);
    eprintln!(
        "{} | {} train / {} test | fingerprint {} | backend {}",
        encode(&config),
        ds.train.len(),
        ds.test.len(),
        ds.fingerprint(),
        BackendKind::from(args.backend).name()
    );
    let start = Instant::now();
    let record = train_one(&config, ds, args.backend.into(), args.quiet)?;
    print_final(&record);
    let images_per_s = record
        .throughput
        .iter()
        .map(|t| t.images_per_s)
        .sum::<f32>()
        / record.throughput.len().max(1) as f32;
    println!(
        "time: {:.1} s, {:.0} images/s while training",
        start.elapsed().as_secs_f64(),
        images_per_s
    );
    if let Some(path) = args.out {
        let json = serde_json::to_string_pretty(&record).expect("serialisable");
        std::fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("run: {}", path.display());
    }
    Ok(())
}

fn print_final(record: &RunRecord) {
    let f = &record.final_metrics;
    println!(
        "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "feature", "online", "offline", "knn", "chance", "train"
    );
    for (name, p) in &f.probes {
        println!(
            "{:<16} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            name, p.online_test_acc, p.offline_test_acc, p.knn_acc, p.chance, p.online_train_acc
        );
    }
    println!(
        "contrastive acc {:.3} | alignment {:.3} | uniformity {:.3}",
        f.contrastive_acc, f.alignment, f.uniformity
    );
    if let (Some(ari), Some(init)) = (f.ari, f.ari_at_init) {
        println!("local features: ARI {ari:.3} (at init {init:.3})");
    }
}

#[derive(Args)]
pub struct SweepArgs {
    /// The base experiment (a link; a `sweep=` in it is used when there is no `--vary`).
    #[arg(long, default_value = "")]
    config: String,
    /// Start from a preset: its experiment and its sweep. `--config` and `--vary` override.
    #[arg(long)]
    preset: Option<String>,
    /// A knob and its values, e.g. `bits=0,5,10,15,20`. Repeat for a grid (at most 2).
    #[arg(long)]
    vary: Vec<String>,
    /// What the effect table and chart show.
    #[arg(long, value_parser = Effect::parse)]
    effect: Option<Effect>,
    /// Override the experiment's size for a quicker (or fuller) sweep.
    #[arg(long, value_enum)]
    scale: Option<Scale>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// CSV with one row per run.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The effect chart as SVG.
    #[arg(long)]
    svg: Option<PathBuf>,
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    #[arg(long)]
    quiet: bool,
}

/// Runs every point of `spec` on top of `base`, one after another.
pub fn run_sweep(
    spec: &SweepSpec,
    base: &ExperimentConfig,
    file: Option<&LoadedSet>,
    backend: BackendKind,
    quiet: bool,
) -> Result<Vec<SweepResult>, String> {
    let points = spec.points(base);
    let mut results = Vec::new();
    for (i, point) in points.iter().enumerate() {
        eprintln!("[{}/{}] {}", i + 1, points.len(), spec.label(&point.values));
        let ds = Arc::new(generate(&point.config, file).map_err(|e| e.to_string())?);
        let record = train_one(&point.config, ds, backend, quiet)?;
        results.push(SweepResult {
            values: point.values.clone(),
            config: record.config,
            fingerprint: record.fingerprint,
            metrics: record.final_metrics,
        });
    }
    Ok(results)
}

/// The effect chart of a finished (or partial) sweep as an SVG file.
pub fn effect_svg(title: &str, spec: &SweepSpec, results: &[SweepResult]) -> String {
    line_chart_file(
        title,
        &chart_series(&spec.effect_lines(results)),
        &spec.chart_axes(),
    )
}

pub fn sweep(args: SweepArgs) -> Result<(), String> {
    let (mut base, link_sweep) = config_from_arg(args.preset.as_deref(), &args.config)?;
    if let Some(scale) = args.scale {
        scale.apply(&mut base);
    }
    let preset_sweep = args
        .preset
        .as_deref()
        .and_then(Preset::find)
        .map(|p| p.sweep_spec());
    let mut spec = if args.vary.is_empty() {
        link_sweep
            .or(preset_sweep)
            .ok_or("nothing to sweep: give --vary key=v1,v2, a --preset, or a link with sweep=")?
    } else {
        let text: Vec<String> = args.vary.iter().map(|v| v.replacen('=', ":", 1)).collect();
        SweepSpec::parse(&text.join(";"), Effect::Offline).map_err(|e| format!("--vary: {e}"))?
    };
    if let Some(e) = args.effect {
        spec.effect = e;
    }
    let file = read_data_files(&args.data_file, base.image_size)?;
    eprintln!(
        "sweep {} runs: {}",
        spec.runs(),
        encode_with_sweep(&base, Some(&spec))
    );
    let start = Instant::now();
    let results = run_sweep(&spec, &base, file.as_ref(), args.backend.into(), args.quiet)?;
    println!("\n{}\n", spec.effect.label());
    print!("{}", spec.markdown_table(&results));
    println!(
        "\n{} runs in {:.1} min",
        results.len(),
        start.elapsed().as_secs_f64() / 60.0
    );
    if let Some(path) = args.out {
        std::fs::write(&path, spec.csv(&results))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        println!("csv: {}", path.display());
    }
    if let Some(path) = args.svg {
        let svg = effect_svg(spec.effect.label(), &spec, &results);
        std::fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("svg: {}", path.display());
    }
    Ok(())
}
