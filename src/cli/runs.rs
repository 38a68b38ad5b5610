//! Training from the command line: one run with a progress bar, and a sweep's grid several runs
//! at a time with a bar per run in progress.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::common::CliError;
use crate::data::loaders::LoadedSet;
use crate::data::{Dataset, generate};
use crate::learn::backend::{BackendKind, block_on, device};
use crate::learn::model_file::ModelFile;
use crate::learn::run::{Control, Run, drive};
use crate::params::ExperimentConfig;
use crate::record::{Event, RunRecord};
use crate::sweep::parallel::{PointError, SweepJob};
use crate::sweep::{SweepPoint, SweepResult};

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
    train_run(config, ds, backend, None, bar).map(Run::into_record)
}

/// [`train_one`], starting from a saved model's weights where `init` is given, and keeping the
/// trained model.
pub fn train_run(
    config: &ExperimentConfig,
    ds: Arc<Dataset>,
    backend: BackendKind,
    init: Option<(&Path, &ModelFile)>,
    bar: &ProgressBar,
) -> Result<Run, CliError> {
    let device = device(backend)?;
    let mut run = Run::new(config, Arc::clone(&ds), backend, &device)?;
    if let Some((path, file)) = init {
        run.load_model(file).map_err(|error| CliError::Model {
            path: path.to_path_buf(),
            error,
        })?;
    }
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
    Ok(run)
}

/// How many runs of a grid train at once: `--jobs`, else one per core on the CPU backend (a run
/// keeps about one core busy) and one on wgpu (the runs would share one device).
pub fn jobs(asked: Option<usize>, backend: BackendKind) -> Result<usize, CliError> {
    match asked {
        Some(0) => Err(CliError::Usage("--jobs must be at least 1".into())),
        Some(n) => Ok(n),
        None if backend == BackendKind::Cpu => {
            Ok(std::thread::available_parallelism().map_or(1, |n| n.get()))
        }
        None => Ok(1),
    }
}

/// Trains every point of `job` (see [`SweepJob::run`]): each run's data generated from its
/// config, then trained on `backend`. A run that fails (a NaN loss) is filed as failed, said on
/// stderr, and the grid goes on; `finished` is called with every result so far each time the
/// grid's next result is in, so a stopped sweep keeps what it finished.
pub fn train_grid(
    job: &SweepJob,
    backend: BackendKind,
    file: Option<&LoadedSet>,
    quiet: bool,
    mut finished: impl FnMut(&[SweepResult]) -> Result<(), CliError>,
) -> Result<Vec<SweepResult>, CliError> {
    let bars = match quiet {
        true => MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
        false => MultiProgress::new(),
    };
    // A line above the bars (or plain stderr when they are hidden).
    let say = |line: String| match quiet {
        true => eprintln!("{line}"),
        false => {
            let _ = bars.println(line);
        }
    };
    let train = |label: &str, point: &SweepPoint| {
        say(label.to_string());
        let bar = bars.add(run_bar(point.config.steps, format!("{label} "), quiet));
        let outcome = generate(&point.config, file)
            .map_err(CliError::from)
            .and_then(|ds| train_one(&point.config, Arc::new(ds), backend, &bar));
        bars.remove(&bar);
        outcome.map_err(|e| match e {
            CliError::Train(e) => PointError::Failed(e.to_string()),
            e => PointError::Fatal(e),
        })
    };
    job.run(train, |results| {
        // Called once per result filed, so a run that just failed is the last result.
        if let Some(r) = results.last()
            && let Some(why) = &r.failed
        {
            say(format!("  {} failed: {why}", job.spec.label(&r.values)));
        }
        finished(results)
    })
}

/// The final numbers of a run: per feature its probes and chance, then the instance task and
/// the local features. A number a run does not have (an online probe the file had none for)
/// reads "—".
pub fn print_final(record: &RunRecord) {
    let f = &record.final_metrics;
    let n = |v: f32| match v.is_finite() {
        true => format!("{v:>8.3}"),
        false => format!("{:>8}", "—"),
    };
    println!(
        "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "feature", "online", "offline", "knn", "chance", "train"
    );
    for (name, p) in &f.probes {
        println!(
            "{:<16} {} {} {} {} {}",
            name,
            n(p.online_test_acc),
            n(p.offline_test_acc),
            n(p.knn_acc),
            n(p.chance),
            n(match record.history.is_empty() {
                true => f32::NAN, // an evaluation: no training batch
                false => p.online_train_acc,
            })
        );
    }
    if !record.history.is_empty() {
        println!(
            "contrastive acc {:.3} | alignment {:.3} | uniformity {:.3}",
            f.contrastive_acc, f.alignment, f.uniformity
        );
    }
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
