//! `train`: run a link headless and print what the encoder learned and suppressed, and the link
//! with the run's result, which `reproduce-link` and the page check.

use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::common::{Backend, CliError, ExperimentArgs, Scale, read_model, write_file};
use super::files::read_data_files;
use super::runs::{print_final, run_bar, train_run};
use crate::data::generate;
use crate::learn::backend::{BackendKind, block_on};
use crate::url::result::ExpectedResult;
use crate::url::{encode, with_result};

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    experiment: ExperimentArgs,
    /// Start from a preset's experiment (see `reproduce --list`); `--config` overrides it.
    #[arg(long)]
    preset: Option<String>,
    /// Resize the experiment (before `--config` applies): `small` is a preset's CPU recipe.
    #[arg(long, value_enum)]
    scale: Option<Scale>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Write the run (config, fingerprint, metric history, final accuracies) as JSON.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the trained model (encoder, head, probes; the link in its metadata) as safetensors.
    #[arg(long)]
    save_model: Option<PathBuf>,
    /// Start from a saved model's weights instead of the seed's (`--save-model`'s file; the
    /// experiment must build the same network).
    #[arg(long)]
    init_from: Option<PathBuf>,
    /// Your own data for `base=file` (see `dataset --help`).
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: TrainArgs) -> Result<(), CliError> {
    let (config, _) = args.experiment.decode(args.preset.as_deref(), args.scale)?;
    let init = args.init_from.as_deref().map(read_model).transpose()?;
    let file = read_data_files(&args.data_file, config.image_size)?;
    let ds = Arc::new(generate(&config, file.as_ref())?);
    eprintln!(
        "{} | {} train / {} test | fingerprint {} | backend {}",
        encode(&config),
        ds.train.len(),
        ds.test.len(),
        ds.fingerprint(),
        BackendKind::from(args.backend).name()
    );
    let start = Instant::now();
    let bar = run_bar(config.steps, String::new(), args.quiet);
    let from = args.init_from.as_deref().zip(init.as_ref());
    let trained = train_run(&config, ds, args.backend.into(), from, &bar)?;
    let record = trained.record().clone();
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
    // A run that started from a file is not the link's to reproduce: no result then.
    let link = match &args.init_from {
        None => {
            let link = with_result(&encode(&config), &ExpectedResult::of(&record));
            println!("link with result: ?{link}");
            link
        }
        Some(from) => {
            let link = encode(&config);
            println!(
                "link: ?{link} (started from {}, which no link carries)",
                from.display()
            );
            link
        }
    };
    if let Some(path) = args.out {
        write_file(
            &path,
            serde_json::to_string_pretty(&record).expect("serialisable"),
        )?;
        println!("run: {}", path.display());
    }
    if let Some(path) = args.save_model {
        let model = block_on(trained.trainer().model_file(&link))?;
        write_file(&path, model.to_bytes())?;
        println!("model: {}", path.display());
    }
    Ok(())
}
