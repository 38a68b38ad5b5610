//! `reproduce`: every preset's sweep over several seeds, natively, into a report folder — the
//! paper's findings at our scale, each with one verdict computed from the runs (holds, or not
//! shown at this scale, with the numbers). Everything is rewritten after every run, so a
//! stopped run keeps what it finished. `--shard K/N` runs every N-th run of every sweep, for
//! a cluster; `merge` puts the shards' folders back together.
//!
//! The report (`presets::report`) depends only on the runs, so merged shards equal an
//! unsharded run byte for byte; times go to `timing.json`.

use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

use super::common::{Backend, CliError, Scale, find_preset, write_file};
use super::files::read_data_files;
use super::outputs::write_report;
use super::runs::{jobs, train_grid};
use crate::learn::backend::BackendKind;
use crate::presets::report::{PresetReport, Results};
use crate::presets::{PRESETS, Preset};
use crate::sweep::parallel::SweepJob;
use crate::sweep::shard::Shard;
use crate::url::encode_with_sweep;
use crate::verdict::Outcome;

#[derive(Args)]
pub struct ReproduceArgs {
    /// The report folder (created; files in it are overwritten).
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// How big each run is (`small`: each preset's CPU recipe).
    #[arg(long, value_enum, default_value = "small")]
    scale: Scale,
    /// Runs per grid point (consecutive seeds); a verdict needs at least 2.
    #[arg(long, default_value_t = 3)]
    seeds: usize,
    /// Only these presets (repeat); default all. `your-data` runs only with `--data-file`.
    #[arg(long)]
    only: Vec<String>,
    /// Run only every N-th run of each sweep, starting at the K-th (`K/N`); merge the shards'
    /// folders with `contrastive-playground merge`.
    #[arg(long)]
    shard: Option<Shard>,
    /// An MNIST IDX pair or CIFAR-10 .bin for the `your-data` preset.
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Runs trained at once (default: one per core on the CPU, one on wgpu). The report does
    /// not depend on it.
    #[arg(long)]
    jobs: Option<usize>,
    /// List the presets and exit.
    #[arg(long)]
    list: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: ReproduceArgs) -> Result<(), CliError> {
    if args.list {
        list();
        return Ok(());
    }
    let chosen = select(&args.only)?;
    std::fs::create_dir_all(&args.out).map_err(CliError::file(&args.out))?;
    let backend = BackendKind::from(args.backend);
    let mut run = Reproduction {
        jobs: jobs(args.jobs, backend)?,
        backend,
        start: Instant::now(),
        results: Results {
            scale: format!("{:?}", args.scale).to_lowercase(),
            seeds: args.seeds,
            backend: backend.name().into(),
            machine: Some(machine()),
            shard: args.shard.map(|s| s.to_string()),
            skipped: Vec::new(),
            presets: Vec::new(),
        },
        minutes: serde_json::Map::new(),
        args: &args,
    };
    for preset in chosen {
        if let Some(minutes) = run.preset(preset)? {
            run.minutes.insert(preset.name.into(), minutes.into());
            run.write_timing()?;
        }
    }
    write_report(&args.out, &run.results)?;
    run.summary();
    Ok(())
}

/// Where this runs, for the report: "2 threads, x86_64 linux".
fn machine() -> String {
    format!(
        "{} threads, {} {}",
        std::thread::available_parallelism().map_or(1, |t| t.get()),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// `--list`: every preset, its runs, title and link.
fn list() {
    for p in PRESETS {
        println!(
            "{:<20} {} runs  {}\n{:<20} {}",
            p.name,
            p.sweep_spec().runs(),
            p.title,
            "",
            encode_with_sweep(&p.experiment(), Some(&p.sweep_spec()))
        );
    }
}

/// The presets `--only` names (each checked), or every preset: the findings and the page's
/// opening demonstration, whose runs are the page's reference for it.
fn select(only: &[String]) -> Result<Vec<&'static Preset>, CliError> {
    for name in only {
        find_preset("--only", name)?;
    }
    Ok(PRESETS
        .iter()
        .filter(|p| only.is_empty() || only.iter().any(|n| n == p.name))
        .collect())
}

/// A `reproduce` in progress: what it was asked, and the report and times so far.
struct Reproduction<'a> {
    args: &'a ReproduceArgs,
    backend: BackendKind,
    jobs: usize,
    start: Instant,
    results: Results,
    /// Minutes per preset that ran, for `timing.json`.
    minutes: serde_json::Map<String, serde_json::Value>,
}

impl Reproduction<'_> {
    /// Runs `preset`'s sweep, rewriting the report after every run, and prints its verdict.
    /// Returns the minutes it took, or `None` when it was skipped for want of `--data-file`.
    fn preset(&mut self, preset: &'static Preset) -> Result<Option<f64>, CliError> {
        let args = self.args;
        let mut base = preset.experiment();
        args.scale.apply(Some(preset), &mut base);
        let file = match preset.needs_file {
            true => match read_data_files(&args.data_file, base.image_size)? {
                Some(f) => Some(f),
                None => {
                    eprintln!("{}: skipped (needs --data-file)", preset.name);
                    self.results.skipped.push(preset.name.into());
                    return Ok(None);
                }
            },
            false => None,
        };
        let spec = preset
            .sweep_spec()
            .with_seeds(args.seeds)
            .map_err(|e| CliError::Usage(format!("--seeds: {e}")))?;
        let link = encode_with_sweep(&base, Some(&spec));
        eprintln!("== {} ({} runs): {link}", preset.name, spec.runs());
        let t = Instant::now();
        self.results.presets.push(PresetReport {
            preset: preset.name.into(),
            link,
            verdict: preset.verdict(&[]),
            results: Vec::new(),
        });
        let job = SweepJob {
            spec: &spec,
            base: &base,
            shard: args.shard,
            jobs: self.jobs,
        };
        let results = &mut self.results;
        let done = train_grid(&job, self.backend, file.as_ref(), args.quiet, |finished| {
            let last = results.presets.last_mut().expect("pushed above");
            last.results = finished.to_vec();
            last.verdict = preset.verdict(finished);
            write_report(&args.out, results)
        })?;
        let verdict = preset.verdict(&done);
        eprintln!(
            "  {}: {}",
            match verdict.outcome {
                Outcome::Holds => "HOLDS",
                Outcome::NotShown => "NOT SHOWN",
            },
            verdict.evidence
        );
        Ok(Some(t.elapsed().as_secs_f64() / 60.0))
    }

    /// `timing.json`: the machine's threads, the runs at once, and the minutes so far.
    fn write_timing(&self) -> Result<(), CliError> {
        write_file(
            &self.args.out.join("timing.json"),
            serde_json::to_string_pretty(&serde_json::json!({
                "threads": std::thread::available_parallelism().map_or(1, |t| t.get()),
                "jobs": self.jobs,
                "minutes": self.minutes,
                "total_minutes": self.start.elapsed().as_secs_f64() / 60.0,
            }))
            .expect("serialisable"),
        )
    }

    /// The last line: how many findings hold, and where the report is.
    fn summary(&self) {
        let presets = &self.results.presets;
        let held = presets.iter().filter(|r| r.verdict.holds()).count();
        println!(
            "{} findings, {} runs in {:.1} min; {held} hold, {} not shown at this scale\nreport: {}",
            presets.len(),
            presets.iter().map(|r| r.results.len()).sum::<usize>(),
            self.start.elapsed().as_secs_f64() / 60.0,
            presets.len() - held,
            self.args.out.join("report.md").display()
        );
    }
}
