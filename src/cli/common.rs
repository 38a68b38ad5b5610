//! What every subcommand stands on: the error type, file writing, the backend and scale flags,
//! and the experiment a command is given (a link, on top of a preset, resized).

use clap::{Args, ValueEnum};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::data::DataError;
use crate::data::loaders::LoadError;
use crate::learn::backend::{BackendError, BackendKind};
use crate::learn::model_file::{ModelFile, ModelFileError};
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
    /// A model file that cannot be used.
    Model {
        path: PathBuf,
        error: ModelFileError,
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
            CliError::Model { path, error } => write!(f, "{}: {error}", path.display()),
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

/// Reads a model file (`train --save-model`), checked whole.
pub(crate) fn read_model(path: &Path) -> Result<ModelFile, CliError> {
    let size = std::fs::metadata(path).map_err(CliError::file(path))?.len();
    if size > crate::data::loaders::MAX_FILE_BYTES as u64 {
        return Err(CliError::Usage(format!(
            "{}: {size} bytes, over the {} MB limit of a file",
            path.display(),
            crate::data::loaders::MAX_FILE_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(path).map_err(CliError::file(path))?;
    ModelFile::from_bytes(&bytes).map_err(|error| CliError::Model {
        path: path.to_path_buf(),
        error,
    })
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

/// `--backend`: where runs train.
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

/// The experiment of `train` and `dataset`: a link, and whether to run it over the memory
/// budget.
#[derive(Args)]
pub struct ExperimentArgs {
    /// The experiment: a page URL, `?query`, `#hash` or bare `key=value&...`.
    #[arg(long, default_value = "")]
    pub config: String,
    /// Run a config over the memory budget anyway (see README, "Limits").
    #[arg(long)]
    pub force: bool,
}

impl ExperimentArgs {
    /// The config of `--config` on top of `preset` (if any) resized by `scale` (see
    /// [`config_from_arg`]).
    pub fn decode(
        &self,
        preset: Option<&str>,
        scale: Option<Scale>,
    ) -> Result<(ExperimentConfig, Option<SweepSpec>), CliError> {
        config_from_arg(preset, scale, &self.config, self.force)
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
