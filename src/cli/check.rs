//! `reproduce-link`: runs a link that carries a result (`train` prints one, `reproduce` writes
//! one per finding, the page copies one) and says whether the run reproduced it: exit 0 when
//! every number agrees (the same to three decimals on the CPU; within the GPU tolerance where
//! either run was on a GPU), non-zero with the differences side by side otherwise.

use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;

use super::common::{Backend, CliError, config_from_arg};
use super::files::read_data_files;
use super::runs::{run_bar, train_one};
use crate::data::generate;
use crate::url::decode;
use crate::url::result::Comparison;

#[derive(Args)]
pub struct CheckArgs {
    /// The link: a page URL, `?query` or bare `key=value&...` with `result=`.
    link: String,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Run a config over the memory budget anyway (see README, "Limits").
    #[arg(long)]
    force: bool,
    /// Your own data for `base=file` links.
    #[arg(long = "data-file")]
    data_file: Vec<PathBuf>,
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: CheckArgs) -> Result<(), CliError> {
    let (config, _) = config_from_arg(None, None, &args.link, args.force)?;
    let expected = decode(&args.link).result.ok_or_else(|| {
        CliError::Usage(
            "the link carries no result= to reproduce (`train` prints a link with one)".into(),
        )
    })?;
    let file = read_data_files(&args.data_file, config.image_size)?;
    let ds = Arc::new(generate(&config, file.as_ref())?);
    if ds.fingerprint() != expected.fingerprint {
        return Err(CliError::Usage(format!(
            "different: the dataset's fingerprint is {}, the link expects {} (another dataset: \
             not trained)",
            ds.fingerprint(),
            expected.fingerprint
        )));
    }
    let bar = run_bar(config.steps, String::new(), args.quiet);
    let record = train_one(&config, ds, args.backend.into(), &bar)?;
    let comparison = expected.compare(&record);
    print_side_by_side(&comparison);
    match comparison.reproduced() {
        true => {
            println!("{comparison}");
            Ok(())
        }
        false => Err(CliError::Usage(comparison.to_string())),
    }
}

/// Each number as the link expects it and as the run gave it.
fn print_side_by_side(c: &Comparison) {
    println!(
        "{:<16} {:>9} {:>9}  (link: {}, run: {})",
        "number",
        "expected",
        "got",
        c.backends.0.name(),
        c.backends.1.name()
    );
    for n in &c.numbers {
        let got = n.got.map_or("—".to_string(), |g| format!("{g:.3}"));
        let mark = if c.agrees(n) { "" } else { "  different" };
        println!("{:<16} {:>9.3} {:>9}{mark}", n.name, n.expected, got);
    }
}
