//! `merge`: the outputs of a sweep or `reproduce` run as shards on several machines, put back
//! together into what one run would have written.

use clap::Args;
use std::path::PathBuf;

use super::common::{CliError, read_text};
use super::outputs::{Outputs, write, write_report};
use crate::presets::report::Results;
use crate::presets::shards::merge_files;
use crate::presets::{PRESETS, Preset};
use crate::sweep::shard::merge;
use crate::url::decode_unchecked;

#[derive(Args)]
pub struct MergeArgs {
    /// Shards: `sweep --json` files, or `reproduce --shard` folders.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Sweeps: the merged CSV. Reproduce folders: the merged report folder.
    #[arg(long)]
    out: PathBuf,
    /// Sweeps: the merged effect chart.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Sweeps: the merged JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

pub fn run(args: MergeArgs) -> Result<(), CliError> {
    if args.shards.iter().all(|p| p.is_dir()) {
        return merge_reports(&args);
    }
    let files: Vec<(String, String)> = args
        .shards
        .iter()
        .map(|p| Ok((p.display().to_string(), read_text(p)?)))
        .collect::<Result<_, CliError>>()?;
    let merged = merge_files(&files).map_err(CliError::Usage)?;
    let out = Outputs {
        csv: Some(&args.out),
        svg: args.svg.as_deref(),
        json: args.json.as_deref(),
        references: &[],
    };
    write(&merged.files(), &out)?;
    println!(
        "{} runs merged into {}",
        merged.results.len(),
        args.out.display()
    );
    Ok(())
}

/// `reproduce --shard` folders into one report folder.
fn merge_reports(args: &MergeArgs) -> Result<(), CliError> {
    let mut shards: Vec<Results> = args
        .shards
        .iter()
        .map(|dir| {
            let path = dir.join("results.json");
            serde_json::from_str(&read_text(&path)?).map_err(|e| {
                CliError::Usage(format!("{}: not a reproduce report ({e})", path.display()))
            })
        })
        .collect::<Result<_, _>>()?;
    let mut machines: Vec<String> = shards.iter().filter_map(|s| s.machine.clone()).collect();
    machines.dedup();
    let mut merged = shards.remove(0);
    merged.shard = None;
    merged.machine = (!machines.is_empty()).then(|| machines.join("; "));
    for (k, shard) in shards.into_iter().enumerate() {
        if (&shard.scale, shard.seeds) != (&merged.scale, merged.seeds) {
            return Err(CliError::Usage(format!(
                "{}: another scale or number of seeds",
                args.shards[k + 1].display()
            )));
        }
        for theirs in shard.presets {
            match merged
                .presets
                .iter_mut()
                .find(|p| p.preset == theirs.preset)
            {
                Some(mine) => mine.results.extend(theirs.results),
                None => merged.presets.push(theirs),
            }
        }
        merged.skipped.extend(shard.skipped);
    }
    // Folders of different presets (`reproduce --only`) merge too; the report keeps the
    // presets' own order, and a preset run somewhere is not listed as skipped.
    merged
        .presets
        .sort_by_key(|p| PRESETS.iter().position(|q| q.name == p.preset));
    merged.skipped.sort();
    merged.skipped.dedup();
    merged
        .skipped
        .retain(|s| !merged.presets.iter().any(|p| &p.preset == s));
    for report in &mut merged.presets {
        let preset = Preset::find(&report.preset)
            .ok_or_else(|| CliError::Usage(format!("{}: no such preset", report.preset)))?;
        let decoded = decode_unchecked(Default::default(), &report.link);
        let spec = decoded
            .sweep
            .ok_or_else(|| CliError::Usage(format!("{}: no sweep", report.link)))?;
        report.results = merge(
            &spec,
            &decoded.config,
            vec![std::mem::take(&mut report.results)],
        )
        .map_err(|e| CliError::Usage(format!("{}: {e}", report.preset)))?;
        report.verdict = preset.verdict(&report.results);
    }
    std::fs::create_dir_all(&args.out).map_err(CliError::file(&args.out))?;
    write_report(&args.out, &merged)?;
    println!(
        "{} findings merged into {}",
        merged.presets.len(),
        args.out.join("report.md").display()
    );
    Ok(())
}
