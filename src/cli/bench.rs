//! `bench`: dataset generation rate and training throughput, measured (never in unit tests).

use clap::{Args, ValueEnum};
use std::sync::Arc;
use std::time::Instant;

use super::common::{Backend, CliError, config_from_arg};
use crate::data::generate;
use crate::learn::backend::{BackendKind, block_on, device};
use crate::learn::train::{TrainError, Trainer};
use crate::url::encode;

#[derive(Args)]
pub struct BenchArgs {
    /// What to measure.
    #[arg(value_enum, default_value = "data")]
    what: BenchWhat,
    /// The experiment. Default for `data`: 10,000 objects of 32×32; for `train`: the default
    /// ConvNet at batch 256.
    #[arg(long)]
    config: Option<String>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Repetitions (data) or timed steps (train).
    #[arg(long, default_value_t = 5)]
    repeat: usize,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BenchWhat {
    /// Dataset generation rate (images/s).
    Data,
    /// Training throughput (images/s through encoder + head + loss + backward + Adam).
    Train,
}

pub fn bench(args: BenchArgs) -> Result<(), CliError> {
    match args.what {
        BenchWhat::Data => {
            let (config, _) = config_from_arg(
                None,
                None,
                args.config
                    .as_deref()
                    .unwrap_or("data=objects&image_size=32&train_size=10000&test_size=32"),
                false,
            )?;
            let mut times: Vec<f64> = (0..args.repeat.max(1))
                .map(|_| {
                    let start = Instant::now();
                    let ds = generate(&config, None)?;
                    std::hint::black_box(&ds);
                    Ok(start.elapsed().as_secs_f64())
                })
                .collect::<Result<_, CliError>>()?;
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            let n = config.train_size + config.test_size;
            println!(
                "bench data: {} | {n} images in {:.1} ms (median of {}) | {:.0} images/s | {} threads",
                encode(&config),
                median * 1e3,
                times.len(),
                n as f64 / median,
                std::thread::available_parallelism().map_or(1, |t| t.get())
            );
        }
        BenchWhat::Train => {
            let (config, _) = config_from_arg(
                None,
                None,
                args.config
                    .as_deref()
                    .unwrap_or("batch=256&train_size=2048&test_size=32"),
                false,
            )?;
            let backend = BackendKind::from(args.backend);
            let ds = Arc::new(generate(&config, None)?);
            // What the reference implementations must be given to do the same work.
            let input = [2 * config.batch, ds.channels + ds.bits, ds.height, ds.width];
            let mut trainer = Trainer::new(&config, ds, backend, &device(backend)?)?;
            // Warm-up steps (kernel compilation on wgpu), then timed steps; one read at the
            // end of each phase so queued device work is included in the time.
            let timed = args.repeat.max(1);
            let sync =
                |t: &mut Trainer| -> Result<(), TrainError> { block_on(t.wait_for_device()) };
            for _ in 0..2 {
                trainer.step();
            }
            sync(&mut trainer)?;
            let start = Instant::now();
            for _ in 0..timed {
                trainer.step();
            }
            sync(&mut trainer)?;
            let seconds = start.elapsed().as_secs_f64();
            let images = (timed * 2 * config.batch) as f64;
            println!(
                "bench train: {} | backend {} | input {input:?} | {timed} steps of batch {} ({} views) in {:.2} s | {:.3} s/step | {:.0} images/s",
                encode(&config),
                backend.name(),
                config.batch,
                2 * config.batch,
                seconds,
                seconds / timed as f64,
                images / seconds
            );
        }
    }
    Ok(())
}
