//! `evaluate`: a saved model (`train --save-model`) evaluated on a dataset, by default its own
//! run's: the probes (online where the file has them, offline, kNN, chance), the same on the
//! untrained encoder, and the local features. Any dataset whose images fit the network works,
//! e.g. a RandBit-trained encoder on plain digits (its bit planes then read as zero).

use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;

use super::common::{Backend, CliError, read_model, write_file};
use super::files::read_data_files;
use super::runs::print_final;
use crate::data::generate;
use crate::learn::backend::{BackendKind, block_on, device};
use crate::learn::model_file::{evaluate_saved, with_architecture};
use crate::url::{decode_onto, decode_unchecked, encode};

#[derive(Args)]
pub struct EvaluateArgs {
    /// The model file.
    #[arg(long)]
    model: PathBuf,
    /// The data and evaluation settings, on top of the model's own link (its network always
    /// comes from the file): e.g. `data=digits`.
    #[arg(long, default_value = "")]
    config: String,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Write the evaluation as a run record (JSON).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the first 16 test images as the encoder sees them and their representations
    /// (JSON), to check another implementation (`bench/pytorch/load_model.py`).
    #[arg(long)]
    representations: Option<PathBuf>,
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
}

pub fn run(args: EvaluateArgs) -> Result<(), CliError> {
    let file = read_model(&args.model)?;
    let own = decode_unchecked(Default::default(), file.link()).config;
    let asked = decode_onto(own.clone(), &args.config);
    for w in &asked.warnings {
        eprintln!("config: {w}");
    }
    if !asked.warnings.is_empty() {
        return Err(CliError::Config(asked.warnings.len()));
    }
    let config = with_architecture(&own, &asked.config);
    let data = read_data_files(&args.data_file, config.image_size)?;
    let ds = Arc::new(generate(&config, data.as_ref())?);
    let backend = BackendKind::from(args.backend);
    eprintln!(
        "model {} ({})\nevaluated on {} | fingerprint {}",
        args.model.display(),
        file.summary(),
        encode(&config),
        ds.fingerprint()
    );
    let (record, trainer) = block_on(evaluate_saved(
        &config,
        ds,
        backend,
        &device(backend)?,
        &file,
    ))
    .map_err(|error| CliError::Model {
        path: args.model.clone(),
        error,
    })?;
    print_final(&record);
    if let Some(path) = &args.out {
        write_file(
            path,
            serde_json::to_string_pretty(&record).expect("serialisable"),
        )?;
        println!("evaluation: {}", path.display());
    }
    if let Some(path) = &args.representations {
        let (batch, reps) = block_on(trainer.test_representations(16))?;
        let json = serde_json::json!({
            "input_shape": [batch.n, batch.channels, batch.height, batch.width],
            "inputs": batch.data,
            "representations": reps,
        });
        write_file(path, json.to_string())?;
        println!("representations: {}", path.display());
    }
    Ok(())
}
