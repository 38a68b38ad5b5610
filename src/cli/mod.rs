//! The native command-line runner: reproduces a link headless.

mod bench;
mod dataset;
mod files;
mod merge;
mod reproduce;
mod sweep;
mod train;

use clap::{Parser, Subcommand};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::data::DataError;
use crate::data::loaders::{LoadError, LoadedSet, load_files};
use crate::learn::backend::BackendError;
use crate::learn::train::TrainError;
use crate::params::ExperimentConfig;
use crate::presets::Preset;
use crate::sweep::{SweepError, SweepSpec};
use crate::url::{decode_onto, decode_unchecked};

/// Why a command failed: the error of the layer that failed, or a file or argument problem.
/// Every message names the key, file or step.
#[derive(Debug)]
pub enum CliError {
    /// An argument the command cannot use (the message says which and why).
    Usage(String),
    /// A link with problems; each was printed, this counts them.
    Config(usize),
    Sweep(SweepError),
    Data(DataError),
    Load(LoadError),
    Backend(BackendError),
    Train(TrainError),
    File {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) => f.write_str(m),
            CliError::Config(n) => write!(f, "{n} bad parameter(s) in --config"),
            CliError::Sweep(e) => write!(f, "sweep: {e}"),
            CliError::Data(e) => write!(f, "{e}"),
            CliError::Load(e) => write!(f, "{e}"),
            CliError::Backend(e) => write!(f, "{e}"),
            CliError::Train(e) => write!(f, "{e}"),
            CliError::File { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for CliError {}

macro_rules! from_layer {
    ($($variant:ident($ty:ty)),+) => {
        $(impl From<$ty> for CliError {
            fn from(e: $ty) -> Self {
                CliError::$variant(e)
            }
        })+
    };
}
from_layer!(
    Sweep(SweepError),
    Data(DataError),
    Load(LoadError),
    Backend(BackendError),
    Train(TrainError)
);

impl CliError {
    /// An I/O error on `path`.
    pub fn file(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
        move |error| CliError::File {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// Reads a text file, naming it on failure.
pub(crate) fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(CliError::file(path))
}

/// Writes `text` to `path` whole or not at all (a temporary file renamed into place, so an
/// interrupted run never leaves half a file), naming the path on failure.
pub(crate) fn write_file(path: &Path, text: impl AsRef<[u8]>) -> Result<(), CliError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).map_err(CliError::file(&tmp))?;
    std::fs::rename(&tmp, path).map_err(CliError::file(path))
}

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
    Sweep(sweep::SweepArgs),
    /// Run every preset's sweep and write a report folder (markdown, SVG charts, CSV).
    Reproduce(reproduce::ReproduceArgs),
    /// Merge the shards of a sweep (`--json` files) or of `reproduce` (folders).
    Merge(merge::MergeArgs),
    /// Benchmarks: dataset generation speed, training throughput.
    Bench(bench::BenchArgs),
}

/// How big each run is. Presets are written at the paper's scale; `small` is each preset's own
/// CPU recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Seconds per run: a smoke test of the whole pipeline (results mean nothing).
    Tiny,
    /// A preset's CPU recipe (without a preset: 200 steps of batch 128, 4,000 / 1,000 images).
    Small,
    /// The experiment as written.
    Full,
}

impl Scale {
    /// The knobs this scale sets, as link text (for a preset, `small` is its own recipe).
    pub fn overrides(self, preset: Option<&Preset>) -> &'static str {
        match (self, preset) {
            (Scale::Tiny, _) => {
                "steps=3&batch=16&train_size=64&test_size=32&width=0.25&head_width=16&out_dim=8&eval_every=1&checkpoints=1"
            }
            (Scale::Small, Some(p)) => p.small,
            (Scale::Small, None) => {
                "steps=200&batch=128&train_size=4000&test_size=1000&checkpoints=2"
            }
            (Scale::Full, _) => "",
        }
    }

    pub fn apply(self, preset: Option<&Preset>, config: &mut ExperimentConfig) {
        *config = decode_onto(config.clone(), self.overrides(preset)).config;
    }
}

/// mimalloc's `mi_option_purge_delay`: its place in v3's `mi_option_e` (`mimalloc.h`), which
/// the bindings do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Training frees and allocates the same large buffers every step. By default mimalloc returns
/// freed memory to the OS after a second (`purge_delay`), so later buffers come back as fresh
/// pages the kernel must fault in and zero: with two runs of a sweep at once that was a quarter
/// of the CPU time, in system calls. Keeping freed memory made such a sweep 15 % faster (README,
/// "Performance"); peak memory is unchanged. `MIMALLOC_PURGE_DELAY` in the environment wins.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a plain integer option, before any thread but this one exists.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    }
}

pub fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dataset(args) => dataset::run(args),
        Command::Train(args) => train::run(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Reproduce(args) => reproduce::run(args),
        Command::Merge(args) => merge::run(args),
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

/// The preset called `name`, or a message listing the presets.
pub(crate) fn find_preset(flag: &str, name: &str) -> Result<&'static Preset, CliError> {
    Preset::find(name).ok_or_else(|| {
        CliError::Usage(format!(
            "{flag} {name:?}: no such preset (one of {})",
            Preset::names()
        ))
    })
}

/// The config of `--config` on top of `--preset` (if any) resized by `--scale`, and the link's
/// sweep, or every problem with them (a link that does not decode cleanly is refused on the
/// command line, where nobody sees a warning banner).
pub(crate) fn config_from_arg(
    preset: Option<&str>,
    scale: Option<Scale>,
    text: &str,
    force: bool,
) -> Result<(ExperimentConfig, Option<SweepSpec>), CliError> {
    let preset = preset
        .map(|name| find_preset("--preset", name))
        .transpose()?;
    let mut base = preset.map_or_else(ExperimentConfig::default, |p| p.experiment());
    if let Some(scale) = scale {
        scale.apply(preset, &mut base);
    }
    // The memory budget, unless `--force`d (then a big config is taken as written).
    let decoded = if force {
        decode_unchecked(base, text)
    } else {
        decode_onto(base, text)
    };
    if decoded.warnings.is_empty() {
        return Ok((decoded.config, decoded.sweep));
    }
    for w in &decoded.warnings {
        eprintln!("config: {w}");
    }
    if decoded.warnings.iter().any(|w| w.key == "budget") {
        eprintln!("config: pass --force to run it anyway");
    }
    Err(CliError::Config(decoded.warnings.len()))
}

/// Reads `--data-file` paths (files, or folders walked with the limits of `files.rs`) as the
/// loaders' input.
pub(crate) fn read_data_files(
    paths: &[PathBuf],
    image_size: usize,
) -> Result<Option<LoadedSet>, CliError> {
    if paths.is_empty() {
        return Ok(None);
    }
    let files = files::read_all(paths)?;
    Ok(Some(load_files(&files, image_size)?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_option_set_is_mimallocs_purge_delay() {
        let get = |option| unsafe { libmimalloc_sys::mi_option_get(option) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // v3's defaults: purge_delay 1000 ms, between eager_commit_delay 1 and use_numa_nodes 0.
        let option = super::MI_OPTION_PURGE_DELAY;
        assert_eq!(
            (get(option - 1), get(option), get(option + 1)),
            (1, 1000, 0)
        );
        super::keep_freed_memory();
        assert_eq!(get(option), -1);
    }
}
