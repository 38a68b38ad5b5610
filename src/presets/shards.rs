//! A sweep's JSON file (`sweep --json`, and the page's shard file): its link and its finished
//! runs. Shard files of one grid, from the command line and from browsers in any mix, merge into
//! what one run of the whole grid writes: the same CSV, effect chart and JSON, byte for byte,
//! because the page and the command line write all three with [`SweepFiles::of`].

use serde::{Deserialize, Serialize};

use super::Preset;
use crate::params::{ExperimentConfig, PARAMS};
use crate::sweep::report::EffectLine;
use crate::sweep::shard::merge;
use crate::sweep::{SweepResult, SweepSpec};
use crate::url::{Decoded, decode_unchecked};

/// A sweep's runs as JSON: its link (base config, grid, seeds) and every finished result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepOutput {
    pub link: String,
    pub results: Vec<SweepResult>,
}

/// What a sweep writes from its results.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepFiles {
    /// One row per run.
    pub csv: String,
    /// The effect chart.
    pub svg: String,
    /// The link and the runs, for merging.
    pub json: String,
}

impl SweepFiles {
    /// The files of `spec`'s `results` under `link`, with published `references` on the chart.
    pub fn of(
        spec: &SweepSpec,
        link: &str,
        results: &[SweepResult],
        references: &[EffectLine],
    ) -> Self {
        let output = SweepOutput {
            link: link.to_string(),
            results: results.to_vec(),
        };
        Self {
            csv: spec.csv(results),
            svg: spec.effect_svg(spec.effect.label(), results, references.to_vec()),
            json: serde_json::to_string_pretty(&output).expect("serialisable"),
        }
    }
}

/// Shards put back together: the grid, its base config and every run in grid order.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    pub link: String,
    pub spec: SweepSpec,
    pub config: ExperimentConfig,
    pub results: Vec<SweepResult>,
}

impl Merged {
    /// What `merge` writes: a preset's published numbers go on its own sweep's chart.
    pub fn files(&self) -> SweepFiles {
        let references = Preset::find_by_sweep(&self.spec)
            .map(|p| p.reference_lines())
            .unwrap_or_default();
        SweepFiles::of(&self.spec, &self.link, &self.results, &references)
    }
}

/// Merges shard files, each given as (name, text). `Err` names the file and what is wrong:
/// not a shard file, a shard of another grid (and how it differs), or a run missing or twice.
pub fn merge_files(files: &[(String, String)]) -> Result<Merged, String> {
    let outputs: Vec<SweepOutput> = files
        .iter()
        .map(|(name, text)| {
            serde_json::from_str(text).map_err(|e| {
                format!("{name}: not a sweep shard file (the JSON of `sweep --json` or the page's shard file): {e}")
            })
        })
        .collect::<Result<_, _>>()?;
    let first = outputs.first().ok_or("no shard files")?;
    let link = first.link.clone();
    let decoded = decode_unchecked(ExperimentConfig::default(), &link);
    for ((name, _), output) in files.iter().zip(&outputs).skip(1) {
        if output.link != link {
            let theirs = decode_unchecked(ExperimentConfig::default(), &output.link);
            return Err(format!(
                "{name} is a shard of another sweep than {}: {}",
                files[0].0,
                difference(&decoded, &theirs).join("; ")
            ));
        }
    }
    let spec = decoded
        .sweep
        .clone()
        .ok_or_else(|| format!("{}: its link has no sweep ({link})", files[0].0))?;
    let shards = outputs.into_iter().map(|o| o.results).collect();
    let results = merge(&spec, &decoded.config, shards)?;
    Ok(Merged {
        link,
        spec,
        config: decoded.config,
        results,
    })
}

/// How `theirs` differs from `ours`: the grid, its seeds and metric, then each knob, as
/// "steps=40 (not 200)".
fn difference(ours: &Decoded, theirs: &Decoded) -> Vec<String> {
    let grid = |d: &Decoded| {
        d.sweep
            .as_ref()
            .map_or("none".to_string(), |s| s.to_string())
    };
    let mut out = Vec::new();
    if grid(ours) != grid(theirs) {
        out.push(format!("sweep {} (not {})", grid(theirs), grid(ours)));
    }
    if let (Some(a), Some(b)) = (&ours.sweep, &theirs.sweep) {
        if a.seeds != b.seeds {
            out.push(format!("seeds={} (not {})", b.seeds, a.seeds));
        }
        if a.effect != b.effect {
            out.push(format!(
                "effect={} (not {})",
                b.effect.as_str(),
                a.effect.as_str()
            ));
        }
    }
    for p in PARAMS {
        let (a, b) = (ours.config.get(p.key), theirs.config.get(p.key));
        if a != b {
            let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
            out.push(format!("{}={b} (not {a})", p.key));
        }
    }
    if out.is_empty() {
        out.push("the links differ in how they are written".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::shard::Shard;
    use crate::url::encode_with_sweep;

    /// The shard files of `link`'s grid, split `count` ways.
    fn shard_files(link: &str, count: usize) -> Vec<(String, String)> {
        let d = decode_unchecked(ExperimentConfig::default(), link);
        let spec = d.sweep.unwrap();
        (1..=count)
            .map(|index| {
                let shard = Shard { index, count };
                let results = crate::sweep::SweepRun::sharded(spec.clone(), &d.config, shard)
                    .points
                    .into_iter()
                    .map(|p| SweepResult {
                        values: p.values,
                        seed: p.config.seed,
                        config: crate::params::query::encode(&p.config),
                        fingerprint: "f".into(),
                        metrics: Default::default(),
                        failed: None,
                    })
                    .collect();
                let output = SweepOutput {
                    link: link.to_string(),
                    results,
                };
                (
                    format!("shard-{index}.json"),
                    serde_json::to_string(&output).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn shards_merge_and_another_grid_is_refused_naming_the_difference() {
        let base = ExperimentConfig {
            steps: 40,
            ..ExperimentConfig::default()
        };
        let spec = SweepSpec::parse("bits:0,5", crate::sweep::Metric::Offline)
            .unwrap()
            .with_seeds(2)
            .unwrap();
        let link = encode_with_sweep(&base, Some(&spec));
        let mut files = shard_files(&link, 3);
        files.reverse();
        let merged = merge_files(&files).unwrap();
        assert_eq!(merged.results.len(), 4);
        assert_eq!(merged.results[1].seed, 1);
        assert!(merged.files().csv.starts_with("bits,seed,config"));

        let other = encode_with_sweep(
            &ExperimentConfig {
                steps: 30,
                ..base.clone()
            },
            Some(&SweepSpec::parse("bits:0,10", crate::sweep::Metric::Offline).unwrap()),
        );
        let mut mixed = shard_files(&link, 2);
        mixed.push(("theirs.json".into(), shard_files(&other, 1).remove(0).1));
        let e = merge_files(&mixed).unwrap_err();
        assert!(
            e.starts_with("theirs.json is a shard of another sweep"),
            "{e}"
        );
        for needle in [
            "sweep bits:0,10 (not bits:0,5)",
            "seeds=1 (not 2)",
            "steps=30 (not 40)",
        ] {
            assert!(e.contains(needle), "{needle}: {e}");
        }
        let e = merge_files(&[("notes.txt".into(), "hello".into())]).unwrap_err();
        assert!(e.starts_with("notes.txt: not a sweep shard file"), "{e}");
        let e = merge_files(&shard_files(&link, 3)[..2]).unwrap_err();
        assert!(e.contains("missing"), "{e}");
    }
}
