//! The files a sweep and `reproduce` write as they go: a sweep's CSV, effect chart and JSON,
//! and a report folder.

use std::path::Path;

use super::common::{CliError, write_file};
use crate::presets::report::Results;
use crate::sweep::report::EffectLine;
use crate::sweep::{SweepResult, SweepSpec};

/// A sweep's runs as JSON (`--json`): its link (base config, grid, seeds) and every result, so
/// shards can be merged.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct SweepOutput {
    pub link: String,
    pub results: Vec<SweepResult>,
}

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
    if let Some(path) = out.csv {
        write_file(path, spec.csv(results))?;
    }
    if let Some(path) = out.svg {
        let svg = spec.effect_svg(spec.effect.label(), results, out.references.to_vec());
        write_file(path, svg)?;
    }
    if let Some(path) = out.json {
        let output = SweepOutput {
            link: link.to_string(),
            results: results.to_vec(),
        };
        write_file(
            path,
            serde_json::to_string_pretty(&output).expect("serialisable"),
        )?;
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
