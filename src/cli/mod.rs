//! The native command-line runner: reproduces a link headless.

mod bench;
mod dataset;
mod reproduce;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use crate::data::loaders::{LoadedSet, load_files};
use crate::params::ExperimentConfig;
use crate::presets::Preset;
use crate::sweep::SweepSpec;
use crate::url::decode_onto;

#[derive(Parser)]
#[command(
    name = "contrastive-playground",
    version,
    about = "Contrastive Playground: reproduce a link headless"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a dataset, print its fingerprint and class balance, optionally write a PNG grid.
    Dataset(dataset::DatasetArgs),
    /// Train an encoder on a link's experiment; print per-feature probe accuracy vs chance.
    Train(train::TrainArgs),
    /// Train a grid of configs varying one or two knobs; print the effect table, write CSV.
    Sweep(train::SweepArgs),
    /// Run every preset's sweep and write a report folder (markdown, SVG charts, CSV).
    Reproduce(reproduce::ReproduceArgs),
    /// Benchmarks: dataset generation speed, training throughput.
    Bench(bench::BenchArgs),
}

/// How big each run of a sweep is: the page's defaults are sized for a GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Seconds per run: a smoke test of the whole pipeline (results mean nothing).
    Tiny,
    /// About a minute per run on 2 CPU cores: 200 steps of batch 128, 4,000 / 1,000 images.
    Small,
    /// The experiment as written (the page's defaults: 300 steps of batch 256, 10,000 images).
    Full,
}

impl Scale {
    /// The knobs this scale sets, as link text.
    pub fn overrides(self) -> &'static str {
        match self {
            Scale::Tiny => {
                "steps=3&batch=16&train_size=64&test_size=32&width=0.25&head_width=16&out_dim=8&eval_every=1&checkpoints=1"
            }
            Scale::Small => "steps=200&batch=128&train_size=4000&test_size=1000&checkpoints=2",
            Scale::Full => "",
        }
    }

    pub fn apply(self, config: &mut ExperimentConfig) {
        *config = decode_onto(config.clone(), self.overrides()).config;
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dataset(args) => dataset::run(args),
        Command::Train(args) => train::run(args),
        Command::Sweep(args) => train::sweep(args),
        Command::Reproduce(args) => reproduce::run(args),
        Command::Bench(args) => bench::bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The config of `--config` on top of `--preset` (if any) and the link's sweep, or every
/// problem with them (a link that does not decode cleanly is refused on the command line,
/// where nobody sees a warning banner).
pub(crate) fn config_from_arg(
    preset: Option<&str>,
    text: &str,
) -> Result<(ExperimentConfig, Option<SweepSpec>), String> {
    let base = match preset {
        None => ExperimentConfig::default(),
        Some(name) => Preset::find(name)
            .ok_or_else(|| {
                format!(
                    "--preset {name:?}: no such preset (one of {})",
                    Preset::names()
                )
            })?
            .experiment(),
    };
    let decoded = decode_onto(base, text);
    if decoded.warnings.is_empty() {
        return Ok((decoded.config, decoded.sweep));
    }
    for w in &decoded.warnings {
        eprintln!("config: {w}");
    }
    Err(format!(
        "{} bad parameter(s) in --config",
        decoded.warnings.len()
    ))
}

/// Reads `--data-file` paths (files, or directories walked recursively) as the loaders' input.
pub(crate) fn read_data_files(
    paths: &[std::path::PathBuf],
    image_size: usize,
) -> Result<Option<LoadedSet>, String> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut files = Vec::new();
    for path in paths {
        collect(path, path, &mut files)?;
    }
    load_files(&files, image_size)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn collect(
    root: &std::path::Path,
    path: &std::path::Path,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            collect(root, &entry, out)?;
        }
        return Ok(());
    }
    if meta.len() > crate::data::loaders::MAX_FILE_BYTES as u64 {
        return Err(format!(
            "{}: {} bytes is over the {} byte limit",
            path.display(),
            meta.len(),
            crate::data::loaders::MAX_FILE_BYTES
        ));
    }
    // Names relative to the given directory keep class folders ("cats/001.png").
    let base = if root == path {
        root.parent().unwrap_or(root)
    } else {
        root
    };
    let name = path
        .strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    out.push((name, bytes));
    Ok(())
}
