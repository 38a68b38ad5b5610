//! `dataset`: look at a dataset, its fingerprint and class balance.

use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

use super::common::{CliError, ExperimentArgs, write_file};
use super::files::read_data_files;
use crate::data::augment::Augment;
use crate::data::generate;
use crate::render::sample_grid;
use crate::url::encode;

#[derive(Args)]
pub struct DatasetArgs {
    #[command(flatten)]
    experiment: ExperimentArgs,
    /// Write a grid of samples (two augmented views each, labels underneath) to this PNG.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Your own data for `base=file`: MNIST IDX (images + labels, raw or .gz), CIFAR-10 .bin,
    /// image files, or a folder of class folders. Repeat for several files.
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    /// Samples in the grid.
    #[arg(long, default_value_t = 24)]
    count: usize,
    /// Columns of the grid.
    #[arg(long, default_value_t = 6)]
    columns: usize,
}

pub fn run(args: DatasetArgs) -> Result<(), CliError> {
    let (config, _) = args.experiment.decode(None, None)?;
    let file = read_data_files(&args.data_file, config.image_size)?;
    let start = Instant::now();
    let ds = generate(&config, file.as_ref())?;
    let elapsed = start.elapsed();
    println!("config: {}", encode(&config));
    println!("dataset: {} ({})", ds.kind, ds.source);
    println!(
        "images: {} train + {} test, {}x{}x{} + {} bit plane(s), generated in {:.0} ms",
        ds.train.len(),
        ds.test.len(),
        ds.channels,
        ds.height,
        ds.width,
        ds.bits,
        elapsed.as_secs_f64() * 1e3
    );
    println!("fingerprint: {}", ds.fingerprint());
    for (feature, counts) in ds.features.iter().zip(ds.class_balance()) {
        let cells: Vec<String> = feature
            .class_names
            .iter()
            .zip(&counts)
            .map(|(name, n)| format!("{name}={n}"))
            .collect();
        println!("class balance ({}): {}", feature.name, cells.join(" "));
    }
    if let Some(path) = args.png {
        let grid = sample_grid(
            &ds,
            &Augment::from_config(&config),
            config.seed,
            args.count,
            args.columns,
        );
        write_file(&path, grid.to_png())?;
        println!("grid: {} ({}x{})", path.display(), grid.width, grid.height);
    }
    Ok(())
}
