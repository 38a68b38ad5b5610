//! A trained model as one safetensors file: the encoder, the projection head (or a control
//! objective's head) and the online probes, named and laid out as `names` says, with the run's
//! link, dataset fingerprint, features and steps in its metadata. The same file loads back on
//! any device, to continue training (`train --init-from`) or to evaluate the encoder on any
//! dataset (`evaluate --model`, the page's "Load model").

mod names;
pub mod safetensors;

use std::fmt;
use std::sync::Arc;

use burn::prelude::*;

use super::backend::BackendKind;
use super::train::{TrainError, Trainer, read_vec};
use crate::data::Dataset;
use crate::params::ExperimentConfig;
use crate::params::query::encode;
use crate::record::{Event, RunRecord};
use names::{Collected, collect, load};
use safetensors::{FormatError, Safetensors};

/// The `format` metadata of our model files.
pub const FORMAT: &str = "contrastive-playground-model";
/// The `format_version` this build writes and reads.
pub const VERSION: &str = "1";

/// The knobs a model file fixes (what the network is); evaluating it on other data takes every
/// other knob from the settings it is evaluated with.
pub const ARCHITECTURE: &[&str] = &[
    "encoder",
    "width",
    "head_depth",
    "head_width",
    "out_dim",
    "objective",
];

/// Why a model file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelFileError {
    /// Not a readable safetensors file.
    Format(FormatError),
    /// A safetensors file, but not one of ours (another model's, another version).
    Foreign(String),
    /// Ours, but its tensors do not fit the model these settings build: one line per tensor.
    Mismatch(Vec<String>),
    /// Evaluating it failed (a device error).
    Evaluation(String),
}

impl fmt::Display for ModelFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelFileError::Format(e) => write!(f, "{e}"),
            ModelFileError::Foreign(why) => write!(
                f,
                "a safetensors file, but not a Contrastive Playground model: {why}"
            ),
            ModelFileError::Mismatch(lines) => {
                let shown: Vec<&str> = lines.iter().take(3).map(String::as_str).collect();
                let more = match lines.len() {
                    n if n > 3 => format!(" (and {} more)", n - 3),
                    _ => String::new(),
                };
                write!(
                    f,
                    "the model does not fit these settings: {}{more}",
                    shown.join("; ")
                )
            }
            ModelFileError::Evaluation(e) => write!(f, "evaluating the model failed: {e}"),
        }
    }
}

impl std::error::Error for ModelFileError {}

/// A model file, checked: ours, whole, with a link.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile {
    file: Safetensors,
}

impl ModelFile {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelFileError> {
        let file = Safetensors::from_bytes(bytes).map_err(ModelFileError::Format)?;
        let meta = |k: &str| file.metadata.get(k).map(String::as_str);
        match (meta("format"), meta("format_version")) {
            (Some(FORMAT), Some(VERSION)) => {}
            (Some(FORMAT), v) => {
                return Err(ModelFileError::Foreign(format!(
                    "format version {:?}; this page reads version {VERSION}",
                    v.unwrap_or("none")
                )));
            }
            _ => {
                return Err(ModelFileError::Foreign(format!(
                    "its metadata has no format={FORMAT} ({} tensors, e.g. {})",
                    file.tensors.len(),
                    file.tensors.keys().next().map_or("none", |k| k.as_str())
                )));
            }
        }
        if meta("link").is_none() {
            return Err(ModelFileError::Foreign("its metadata has no link".into()));
        }
        Ok(Self { file })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.file.to_bytes()
    }

    /// A metadata entry.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.file.metadata.get(key).map(String::as_str)
    }

    /// The link of the run that trained it (with its result, where it was written with one).
    pub fn link(&self) -> &str {
        self.meta("link").unwrap_or_default()
    }

    /// Steps it was trained for.
    pub fn steps(&self) -> usize {
        self.meta("steps").and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// The features its online probes were trained on: (name, classes), in probe order.
    pub fn features(&self) -> Vec<(String, usize)> {
        self.meta("features")
            .unwrap_or_default()
            .split(',')
            .filter_map(|f| f.split_once(':'))
            .filter_map(|(name, n)| Some((name.to_string(), n.parse().ok()?)))
            .collect()
    }

    /// "ConvNet weights: 38 tensors, 106,112 numbers; trained 80 steps on cpu, dataset 81db…".
    pub fn summary(&self) -> String {
        let numbers: usize = self.file.tensors.values().map(|t| t.values.len()).sum();
        format!(
            "{} tensors, {} numbers; trained {} steps on {}, dataset {}",
            self.file.tensors.len(),
            thousands(numbers),
            self.steps(),
            self.meta("backend").unwrap_or("?"),
            self.meta("fingerprint").unwrap_or("?")
        )
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `onto` with the knobs that make the network taken from `model` (the file's own settings).
pub fn with_architecture(model: &ExperimentConfig, onto: &ExperimentConfig) -> ExperimentConfig {
    let mut config = onto.clone();
    for key in ARCHITECTURE {
        let value = model.get(key).expect("architecture knobs are table keys");
        config.set(key, &value).expect("a valid config's value");
    }
    config
}

/// What loading did beyond the network itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    /// The features whose online probe came from the file (the others' are untrained).
    pub probes: Vec<String>,
}

impl Trainer {
    /// The model as it is now, as a file with `link` (the run's link) in its metadata.
    pub async fn model_file(&self, link: &str) -> Result<ModelFile, TrainError> {
        let mut tensors = Collected::new();
        collect(&self.model, "", &mut tensors);
        collect(&self.probes, "probes", &mut tensors);
        let values = read_vec(Tensor::cat(std::mem::take(&mut tensors.flat), 0)).await?;
        let ds = &self.dataset;
        let features: Vec<String> = ds
            .features
            .iter()
            .map(|f| format!("{}:{}", f.name, f.classes()))
            .collect();
        let metadata = [
            ("format", FORMAT.to_string()),
            ("format_version", VERSION.to_string()),
            ("link", link.to_string()),
            ("fingerprint", ds.fingerprint()),
            ("features", features.join(",")),
            ("steps", self.steps_done().to_string()),
            ("backend", self.backend.name().to_string()),
            (
                "input",
                format!("{}x{}x{}", ds.input_channels(), ds.height, ds.width),
            ),
        ];
        let file = Safetensors {
            metadata: metadata.map(|(k, v)| (k.to_string(), v)).into(),
            tensors: tensors.into_file(&values),
        };
        Ok(ModelFile { file })
    }

    /// Replaces the network's weights (and BatchNorm statistics) with the file's; every tensor
    /// must fit. The online probes of features the file was trained on (same name and classes)
    /// are loaded too. `fewer_inputs`: the first convolution may see fewer input channels than
    /// the file's (RandBit's bit planes left out: as if they were zero).
    pub fn load_model(
        &mut self,
        file: &ModelFile,
        fewer_inputs: bool,
    ) -> Result<Loaded, ModelFileError> {
        let tensors = &file.file.tensors;
        let (model, mut used) = load(self.model.clone(), "", tensors, fewer_inputs)
            .map_err(ModelFileError::Mismatch)?;
        let theirs = file.features();
        let mut probes = self.probes.clone();
        let mut loaded = Loaded::default();
        for (i, feature) in self.dataset.features.iter().enumerate() {
            let mine = (feature.name.clone(), feature.classes());
            let Some(j) = theirs.iter().position(|f| *f == mine) else {
                continue;
            };
            let prefix = format!("probes.heads.{j}");
            let head = probes.heads[i].clone();
            let (head, names) =
                load(head, &prefix, tensors, false).map_err(ModelFileError::Mismatch)?;
            probes.heads[i] = head;
            used.extend(names);
            loaded.probes.push(feature.name.clone());
        }
        let unused: Vec<String> = tensors
            .keys()
            .filter(|k| !k.starts_with("probes.") && !used.contains(k))
            .map(|k| format!("{k}: in the file, not in this model"))
            .collect();
        if !unused.is_empty() {
            return Err(ModelFileError::Mismatch(unused));
        }
        self.model = model;
        self.probes = probes;
        Ok(loaded)
    }
}

/// A saved model evaluated on `dataset` as `config` says (its network from the file's settings,
/// see [`with_architecture`]): first the untrained encoder of `config` (step 0), then the
/// file's, as a run record of two evaluations, and the trainer holding the loaded model.
/// Online probes the file has none for read NaN.
pub async fn evaluate_saved(
    config: &ExperimentConfig,
    dataset: Arc<Dataset>,
    backend: BackendKind,
    device: &Device,
    file: &ModelFile,
) -> Result<(RunRecord, Trainer), ModelFileError> {
    let failed = |e: TrainError| ModelFileError::Evaluation(e.to_string());
    let mut trainer =
        Trainer::new(config, Arc::clone(&dataset), backend, device).map_err(failed)?;
    let at_init = trainer.evaluate().await.map_err(failed)?;
    let loaded = trainer.load_model(file, true)?;
    trainer.step = file.steps();
    let mut trained = trainer.evaluate().await.map_err(failed)?;
    for p in &mut trained.probes {
        if !loaded.probes.contains(&p.feature) {
            p.online_test_acc = f32::NAN;
        }
    }
    let mut record = RunRecord::new(encode(config), dataset.fingerprint(), backend.name().into());
    record.record(&Event::Evaluation(at_init), config.block);
    record.record(&Event::Evaluation(trained), config.block);
    Ok((record, trainer))
}
