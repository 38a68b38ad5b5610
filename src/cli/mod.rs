//! The native command-line runner: reproduces a link headless.

mod bench;
mod dataset;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use crate::data::loaders::{LoadedSet, load_files};
use crate::params::ExperimentConfig;
use crate::url::decode;

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
    /// Benchmarks: dataset generation speed, training throughput.
    Bench(bench::BenchArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dataset(args) => dataset::run(args),
        Command::Train(args) => train::run(args),
        Command::Sweep(args) => train::sweep(args),
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

/// The config of `--config`, or every problem with it (a link that does not decode cleanly
/// is refused on the command line, where nobody sees a warning banner).
pub(crate) fn config_from_arg(text: &str) -> Result<ExperimentConfig, String> {
    let decoded = decode(text);
    if decoded.warnings.is_empty() {
        return Ok(decoded.config);
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
