//! The files a sweep and `reproduce` write as they go: a sweep's CSV, effect chart and JSON,
//! and a report folder.

use std::path::Path;

use super::common::{CliError, write_file};
use crate::presets::report::Results;
use crate::presets::shards::SweepFiles;
use crate::sweep::report::EffectLine;
use crate::sweep::{SweepResult, SweepSpec};

/// Where a sweep's outputs go.
pub struct Outputs<'a> {
    pub csv: Option<&'a Path>,
    pub svg: Option<&'a Path>,
    pub json: Option<&'a Path>,
    pub references: &'a [EffectLine],
}

/// Writes the CSV, the chart and the JSON of what has finished so far.
pub fn save(
    spec: &SweepSpec,
    link: &str,
    results: &[SweepResult],
    out: &Outputs,
) -> Result<(), CliError> {
    write(&SweepFiles::of(spec, link, results, out.references), out)
}

/// Writes the files `out` asks for.
pub fn write(files: &SweepFiles, out: &Outputs) -> Result<(), CliError> {
    for (path, text) in [
        (out.csv, &files.csv),
        (out.svg, &files.svg),
        (out.json, &files.json),
    ] {
        if let Some(path) = path {
            write_file(path, text)?;
        }
    }
    Ok(())
}

/// Writes the whole report folder `dir` from `results` (see [`Results::files`]).
pub fn write_report(dir: &Path, results: &Results) -> Result<(), CliError> {
    for file in results.files() {
        let (name, text) = file.map_err(CliError::Usage)?;
        write_file(&dir.join(name), text)?;
    }
    Ok(())
}
