//! The memory budget: every preset fits, and knobs each in range are refused together when
//! they add up to too much.

use cpg::ExperimentConfig;
use cpg::budget::{check, estimate};
use cpg::url::{decode, decode_unchecked};

#[test]
fn the_defaults_and_every_preset_fit() {
    assert!(check(&ExperimentConfig::default()).is_ok());
    for p in cpg::presets::PRESETS {
        assert!(check(&p.small_experiment()).is_ok(), "{}", p.name);
        assert!(check(&p.experiment()).is_ok(), "{} at full scale", p.name);
    }
}

#[test]
fn knobs_each_in_range_can_be_over_together_and_the_message_names_them() {
    let unchecked = |q: &str| decode_unchecked(ExperimentConfig::default(), q).config;
    let c = unchecked("data=scenes&canvas=128&train_size=100000");
    let over = check(&c).unwrap_err();
    assert!(over.estimate.total() > 4_000_000_000, "{over}");
    let text = over.to_string();
    for knob in ["train_size", "canvas"] {
        assert!(text.contains(knob), "{text}");
    }
    let c = unchecked("batch=4096&width=4&data=objects&image_size=64");
    let over = check(&c).unwrap_err();
    assert!(over.knobs.contains(&"batch"), "{over}");
}

#[test]
fn the_estimate_grows_with_what_is_generated_and_trained() {
    let small = estimate(&decode("data=scenes&canvas=32&train_size=1000").config);
    let more = estimate(&decode("data=scenes&canvas=32&train_size=2000").config);
    let bigger = estimate(&decode("data=scenes&canvas=64&train_size=1000").config);
    assert!(more.dataset > small.dataset && bigger.dataset > 3 * small.dataset);
    let batch = estimate(&decode("data=scenes&canvas=32&train_size=1000&batch=512").config);
    assert!(batch.training > small.training);
}
