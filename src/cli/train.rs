//! `train` and `sweep`: run a link headless and print what the encoder learned and suppressed.

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::{config_from_arg, read_data_files};
use crate::data::{Dataset, generate};
use crate::learn::backend::{BackendKind, block_on, device};
use crate::learn::run::{Event, RunRecord, advance};
use crate::learn::train::Trainer;
use crate::params::ExperimentConfig;
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

/// Trains `config` on `ds` to the end, reporting progress on a bar unless `quiet`.
pub fn train_one(
    config: &ExperimentConfig,
    ds: Arc<Dataset>,
    backend: BackendKind,
    quiet: bool,
) -> Result<RunRecord, String> {
    let device = device(backend)?;
    let mut record = RunRecord::new(encode(config), ds.fingerprint(), backend.name().into());
    let mut trainer =
        Trainer::new(config, Arc::clone(&ds), backend, &device).map_err(|e| e.to_string())?;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(config.steps as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} steps [{elapsed_precise} < {eta_precise}] {msg}",
        )
        .expect("valid template"),
    );
    let start = Instant::now();
    let clock = || start.elapsed().as_secs_f64();
    loop {
        let events = block_on(advance(&mut trainer, clock)).map_err(|e| e.to_string())?;
        for event in &events {
            record.record(event, config.block);
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
        bar.set_position(trainer.steps_done() as u64);
        if trainer.finished() && trainer.steps_done() > 0 {
            // `advance` evaluates after the last step; one more call would do nothing.
            break;
        }
    }
    bar.finish_and_clear();
    Ok(record)
}

pub fn run(args: TrainArgs) -> Result<(), String> {
    let config = config_from_arg(&args.config)?;
    let file = read_data_files(&args.data_file, config.image_size)?;
    let ds = Arc::new(generate(&config, file.as_ref()).map_err(|e| e.to_string())?);
    eprintln!(
        "{} | {} train / {} test | fingerprint {} | backend {}",
        encode(&config),
        ds.train.len(),
        ds.test.len(),
        ds.fingerprint(),
        BackendKind::from(args.backend).name()
    );
    let start = Instant::now();
    let record = train_one(&config, ds, args.backend.into(), args.quiet)?;
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
        let json = serde_json::to_string_pretty(&record).expect("serialisable");
        std::fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
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
    if let (Some(ari), Some(init)) = (f.ari, f.ari_at_init) {
        println!("local features: ARI {ari:.3} (at init {init:.3})");
    }
}

#[derive(Args)]
pub struct SweepArgs {
    /// The base experiment.
    #[arg(long, default_value = "")]
    config: String,
    /// A knob and its values, e.g. `bits=0,5,10,15,20`. Repeat for a grid (at most 2).
    #[arg(long, required = true)]
    vary: Vec<String>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// CSV with one row per run.
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
}

/// Parses `key=v1,v2` and checks each value against the table.
fn parse_vary(text: &str, base: &ExperimentConfig) -> Result<(String, Vec<String>), String> {
    let (key, values) = text
        .split_once('=')
        .ok_or_else(|| format!("--vary {text:?}: expected key=v1,v2,..."))?;
    let values: Vec<String> = values
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err(format!("--vary {text:?}: no values"));
    }
    for v in &values {
        base.clone()
            .set(key, v)
            .map_err(|e| format!("--vary {key}={v}: {e}"))?;
    }
    Ok((key.to_string(), values))
}

pub fn sweep(args: SweepArgs) -> Result<(), String> {
    let base = config_from_arg(&args.config)?;
    let axes: Vec<(String, Vec<String>)> = args
        .vary
        .iter()
        .map(|v| parse_vary(v, &base))
        .collect::<Result<_, _>>()?;
    if axes.len() > 2 {
        return Err("at most two --vary axes".into());
    }
    let file = read_data_files(&args.data_file, base.image_size)?;
    let mut grid: Vec<Vec<String>> = vec![vec![]];
    for (_, values) in &axes {
        grid = grid
            .iter()
            .flat_map(|prefix| {
                values
                    .iter()
                    .map(move |v| [prefix.clone(), vec![v.clone()]].concat())
            })
            .collect();
    }
    let mut rows = Vec::new();
    let start = Instant::now();
    for (i, point) in grid.iter().enumerate() {
        let mut config = base.clone();
        for ((key, _), value) in axes.iter().zip(point) {
            config.set(key, value).expect("checked");
        }
        let label: Vec<String> = axes
            .iter()
            .zip(point)
            .map(|((k, _), v)| format!("{k}={v}"))
            .collect();
        eprintln!("[{}/{}] {}", i + 1, grid.len(), label.join(" "));
        let ds = Arc::new(generate(&config, file.as_ref()).map_err(|e| e.to_string())?);
        let record = train_one(&config, ds, args.backend.into(), false)?;
        rows.push((point.clone(), record));
    }
    let features: Vec<String> = rows[0].1.final_metrics.probes.keys().cloned().collect();
    let mut csv = String::new();
    let mut header: Vec<String> = axes.iter().map(|(k, _)| k.clone()).collect();
    header.extend(
        [
            "config",
            "fingerprint",
            "contrastive_acc",
            "alignment",
            "uniformity",
            "ari",
        ]
        .map(String::from),
    );
    for f in &features {
        header.extend(
            ["online_test_acc", "offline_test_acc", "knn_acc", "chance"]
                .map(|m| format!("{f}.{m}")),
        );
    }
    csv.push_str(&header.join(","));
    csv.push('\n');
    for (point, r) in &rows {
        let f = &r.final_metrics;
        let mut cells: Vec<String> = point.clone();
        cells.push(format!("\"{}\"", r.config));
        cells.push(r.fingerprint.clone());
        cells.extend([f.contrastive_acc, f.alignment, f.uniformity].map(|v| format!("{v:.4}")));
        cells.push(f.ari.map_or(String::new(), |v| format!("{v:.4}")));
        for name in &features {
            let p = &f.probes[name];
            cells.extend(
                [p.online_test_acc, p.offline_test_acc, p.knn_acc, p.chance]
                    .map(|v| format!("{v:.4}")),
            );
        }
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    // The effect table: one per feature, rows = first axis, columns = second axis.
    let (rows_key, row_values) = &axes[0];
    let cols: Vec<String> = axes.get(1).map_or(vec![String::new()], |(_, v)| v.clone());
    let col_key = axes.get(1).map_or("", |(k, _)| k.as_str());
    let cell = |r: &str, c: &str| {
        rows.iter()
            .find(|(p, _)| p[0] == r && (axes.len() == 1 || p[1] == c))
            .map(|(_, rec)| rec)
    };
    for name in features.iter().map(Some).chain([None]) {
        match name {
            Some(n) => println!(
                "\n{n}: linear-probe test accuracy (online / offline), chance {:.2}",
                rows[0].1.final_metrics.probes[n].chance
            ),
            None => println!("\ncontrastive accuracy"),
        }
        let head: Vec<String> = cols
            .iter()
            .map(|c| {
                if c.is_empty() {
                    "value".into()
                } else {
                    format!("{col_key}={c}")
                }
            })
            .collect();
        println!(
            "{:<14} {}",
            rows_key,
            head.iter().map(|h| format!("{h:>15}")).collect::<String>()
        );
        for r in row_values {
            let line: String = cols
                .iter()
                .map(|c| match (cell(r, c), name) {
                    (Some(rec), Some(n)) => {
                        let p = &rec.final_metrics.probes[n];
                        format!(
                            "{:>15}",
                            format!("{:.3} / {:.3}", p.online_test_acc, p.offline_test_acc)
                        )
                    }
                    (Some(rec), None) => format!("{:>15.3}", rec.final_metrics.contrastive_acc),
                    (None, _) => format!("{:>15}", "-"),
                })
                .collect();
            println!("{:<14} {line}", r);
        }
    }
    println!(
        "\n{} runs in {:.1} min",
        rows.len(),
        start.elapsed().as_secs_f64() / 60.0
    );
    if let Some(path) = args.out {
        std::fs::write(&path, csv).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("csv: {}", path.display());
    }
    Ok(())
}
