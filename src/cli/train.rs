//! `train`: run a link headless and print what the encoder learned and suppressed.

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::{CliError, Scale, config_from_arg, read_data_files, write_file};
use crate::data::{Dataset, generate};
use crate::learn::backend::{BackendKind, block_on, device};
use crate::learn::run::{Control, Run, drive};
use crate::params::ExperimentConfig;
use crate::record::{Event, RunRecord};
use crate::url::encode;

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
    /// Run a config over the memory budget anyway (see README, "Limits").
    #[arg(long)]
    force: bool,
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

/// A progress bar for one run of `steps` steps (hidden when `quiet`), labelled with `prefix`.
pub fn run_bar(steps: usize, prefix: String, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    ProgressBar::new(steps as u64)
        .with_style(
            ProgressStyle::with_template(
                "{prefix}{bar:30} {pos}/{len} steps [{elapsed_precise} < {eta_precise}] {msg}",
            )
            .expect("valid template"),
        )
        .with_prefix(prefix)
}

/// Trains `config` on `ds` to the end, reporting progress on `bar`.
pub fn train_one(
    config: &ExperimentConfig,
    ds: Arc<Dataset>,
    backend: BackendKind,
    bar: &ProgressBar,
) -> Result<RunRecord, CliError> {
    let device = device(backend)?;
    let mut run = Run::new(config, Arc::clone(&ds), backend, &device)?;
    let start = Instant::now();
    let clock = || start.elapsed().as_secs_f64();
    block_on(drive(&mut run, clock, |run, events| {
        for event in &events {
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
        bar.set_position(run.trainer().steps_done() as u64);
        std::future::ready(Control::Continue)
    }))?;
    bar.finish_and_clear();
    Ok(run.into_record())
}

pub fn run(args: TrainArgs) -> Result<(), CliError> {
    let (config, _) =
        config_from_arg(args.preset.as_deref(), args.scale, &args.config, args.force)?;
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
