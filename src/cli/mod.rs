//! The native command-line runner: reproduces a link headless. This file is the front door (the
//! subcommands and their dispatch); `common` holds what they share.

mod bench;
mod check;
mod common;
mod dataset;
mod evaluate;
mod files;
mod merge;
mod outputs;
mod reproduce;
mod runs;
mod sweep;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "contrastive-playground",
    version,
    about = "Contrastive Playground: reproduce a link headless"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a dataset, print its fingerprint and class balance, optionally write a PNG grid.
    Dataset(dataset::DatasetArgs),
    /// Train an encoder on a link's experiment; print per-feature probe accuracy vs chance.
    Train(train::TrainArgs),
    /// Run a link that carries a result and say whether it reproduced (exit 0) or not.
    ReproduceLink(check::CheckArgs),
    /// Evaluate a saved model (`train --save-model`) on its own dataset or another.
    Evaluate(evaluate::EvaluateArgs),
    /// Train a grid of configs varying one or two knobs; print the effect table, write CSV.
    Sweep(sweep::SweepArgs),
    /// Run every preset's sweep and write a report folder (markdown, SVG charts, CSV).
    Reproduce(reproduce::ReproduceArgs),
    /// Merge the shards of a sweep (`--json` files) or of `reproduce` (folders).
    Merge(merge::MergeArgs),
    /// Benchmarks: dataset generation speed, training throughput.
    Bench(bench::BenchArgs),
}

pub fn main() -> ExitCode {
    crate::par::join_pool_natively();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dataset(args) => dataset::run(args),
        Command::Train(args) => train::run(args),
        Command::ReproduceLink(args) => check::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Reproduce(args) => reproduce::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Bench(args) => bench::bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
