//! `train`: run a link headless and print what the encoder learned and suppressed.

use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::common::{Backend, CliError, ExperimentArgs, Scale, write_file};
use super::files::read_data_files;
use super::runs::{run_bar, train_one};
use crate::data::generate;
use crate::learn::backend::BackendKind;
use crate::record::RunRecord;
use crate::url::encode;

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
    /// Your own data for `base=file` (see `dataset --help`).
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: TrainArgs) -> Result<(), CliError> {
    let (config, _) = args.experiment.decode(args.preset.as_deref(), args.scale)?;
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
    let record = train_one(&config, ds, args.backend.into(), &bar)?;
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
        write_file(
            &path,
            serde_json::to_string_pretty(&record).expect("serialisable"),
        )?;
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
    if !f.blocks.is_empty() {
        println!("local features, ARI of K-means clusters (trained / at init / raw pixels):");
    }
    for b in &f.blocks {
        let parts = b
            .ari_parts
            .map_or(String::new(), |p| format!(" | vs parts {p:.3}"));
        println!(
            "  block {}: vs objects {:.3} / {:.3} / {:.3}{parts}",
            b.block, b.ari, b.ari_at_init, b.ari_pixels
        );
    }
}
