//! Presets: one per finding of the paper (docs/science.md, "Findings"), each a link, a sweep,
//! what to look for, how it is scaled down, published numbers to compare with where there are
//! any, and the verdict on the finding computed from the sweep's runs over seeds. `preset` says
//! what a finding is, `table` lists them (one row each, the page's article included), `rules`
//! holds each finding's verdict rule and `report` the report of running them all (`reproduce`).
//! `reference` reads such a report back as the page's reference figures, and `shards` merges
//! a sweep's shard files.

mod notebook;
mod preset;
pub mod reference;
pub mod report;
mod rules;
pub mod shards;
mod table;

pub use preset::{Preset, Reference};
pub use table::PRESETS;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::{decode, decode_onto};

    #[test]
    fn every_preset_decodes_cleanly_and_its_sweep_is_valid_with_three_seeds() {
        for p in PRESETS {
            let d = decode(p.config);
            assert!(d.warnings.is_empty(), "{}: {:?}", p.name, d.warnings);
            let small = decode_onto(p.experiment(), p.small);
            assert!(
                small.warnings.is_empty(),
                "{}: {:?}",
                p.name,
                small.warnings
            );
            let spec = p.sweep_spec().with_seeds(3);
            assert!(spec.is_ok(), "{}: {spec:?}", p.name);
            assert_eq!(
                p.experiment().base == crate::params::BaseKind::File,
                p.needs_file
            );
            assert_eq!(Preset::find(p.name).map(|f| f.name), Some(p.name));
        }
        assert!(Preset::find("nope").is_none());
    }

    #[test]
    fn every_finding_the_page_runs_has_an_article_with_what_to_look_for() {
        for p in PRESETS.iter().filter(|p| !p.demo && !p.needs_file) {
            assert!(!p.explain_title.is_empty(), "{}", p.name);
            assert!(p.explain.contains("Look for:"), "{}", p.name);
        }
    }
}
