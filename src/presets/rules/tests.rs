use super::*;
use crate::params::ExperimentConfig;
use crate::presets::Preset;
use crate::record::FinalProbe;
use crate::verdict::Outcome;
use std::collections::BTreeMap;

/// Three seeds of every grid point of `preset`, with `acc(point values, seed index)` as
/// every probe's accuracy of `feature` (and chance 0.1, init 0.2).
fn runs(
    preset: &str,
    features: &[&str],
    acc: impl Fn(&[String], usize) -> f32,
) -> Vec<SweepResult> {
    let p = Preset::find(preset).unwrap();
    let spec = p.sweep_spec().with_seeds(3).unwrap();
    spec.points(&ExperimentConfig::default())
        .into_iter()
        .map(|pt| {
            let a = acc(&pt.values, pt.replicate);
            let probes: BTreeMap<String, FinalProbe> = features
                .iter()
                .map(|f| {
                    (
                        f.to_string(),
                        FinalProbe {
                            online_test_acc: a,
                            offline_test_acc: a,
                            knn_acc: a,
                            chance: 0.1,
                            offline_at_init: 0.2,
                            ..FinalProbe::default()
                        },
                    )
                })
                .collect();
            SweepResult {
                values: pt.values,
                seed: pt.config.seed,
                config: String::new(),
                fingerprint: String::new(),
                metrics: FinalMetrics {
                    probes,
                    ..FinalMetrics::default()
                },
                failed: None,
            }
        })
        .collect()
}

/// A small seed-to-seed spread around a value, the same in every test.
fn jitter(seed: usize) -> f32 {
    [0.0, 0.01, -0.01][seed]
}

fn verdict(preset: &str, results: &[SweepResult]) -> crate::verdict::Verdict {
    Preset::find(preset).unwrap().verdict(results)
}

#[test]
fn randbit_holds_on_a_clear_fall_and_not_on_noise() {
    let fall = randbit_runs(|bits, tau| {
        let kept = if bits == 5.0 && tau == 0.05 {
            0.15
        } else {
            0.0
        };
        0.9 - 0.04 * bits + kept
    });
    let v = verdict("randbit", &fall);
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    // A smaller fall (0.4 → 0.1) with a seed spread of ±0.25: the margin grows past it.
    let noisy = runs("randbit", &["digit"], |v, s| {
        let bits: f32 = v[0].parse().unwrap();
        0.4 - 0.015 * bits + [0.0, 0.25, -0.25][s]
    });
    let v = verdict("randbit", &noisy);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("margin"), "{}", v.evidence);
    // Flat: not shown.
    let flat = runs("randbit", &["digit"], |_, s| 0.9 + jitter(s));
    assert_eq!(verdict("randbit", &flat).outcome, Outcome::NotShown);
}

/// RandBit's runs with the digit at `acc(bits, tau)` (± 0.01 over seeds) and the
/// contrastive accuracy saturating with the bits (0.5 → 1).
fn randbit_runs(acc: impl Fn(f32, f32) -> f32) -> Vec<SweepResult> {
    let mut results = runs("randbit", &["digit"], |v, s| {
        acc(v[0].parse().unwrap(), v[1].parse().unwrap()) + jitter(s)
    });
    for r in &mut results {
        let bits: f32 = r.values[0].parse().unwrap();
        r.metrics.contrastive_acc = 0.5 + 0.025 * bits;
    }
    results
}

#[test]
fn randbit_judges_its_gate_against_the_untrained_encoder_not_chance() {
    // Without bits the digit reads 0.22: above chance (0.1) by 0.12, but the untrained
    // encoder already reads 0.2. Everything after the gate would hold.
    let results = randbit_runs(|bits, tau| {
        let kept = if bits == 5.0 && tau == 0.05 {
            0.05
        } else {
            0.0
        };
        if bits == 0.0 {
            0.22
        } else {
            0.05 + kept - 0.002 * bits
        }
    });
    let v = verdict("randbit", &results);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("gate: digit learned"), "{}", v.evidence);
}

#[test]
fn randbit_checks_saturation_and_the_temperature() {
    // A clear fall, but the lower temperature keeps no more of the digit at 5 bits.
    let v = verdict("randbit", &randbit_runs(|bits, _| 0.9 - 0.04 * bits));
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("lower temperature"), "{}", v.evidence);
    // A clear fall and the temperature's effect, but the instance task does not saturate.
    let mut flat_task = randbit_runs(|bits, tau| {
        let kept = if bits == 5.0 && tau == 0.05 {
            0.15
        } else {
            0.0
        };
        0.9 - 0.04 * bits + kept
    });
    flat_task
        .iter_mut()
        .for_each(|r| r.metrics.contrastive_acc = 0.6);
    let v = verdict("randbit", &flat_task);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("saturates"), "{}", v.evidence);
}

#[test]
fn a_null_claim_at_the_chance_floor_is_refused() {
    // Both widths at chance (0.1): nothing could have risen.
    let floor = runs("randbit-width", &["digit"], |_, s| 0.1 + jitter(s));
    let v = verdict("randbit-width", &floor);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("not at the floor"), "{}", v.evidence);
    // Off the floor, with training adding no more at width 2: holds.
    let off = runs("randbit-width", &["digit"], |_, s| 0.5 + jitter(s));
    let v = verdict("randbit-width", &off);
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    // The wide net's probe higher only by its higher untrained level: still holds; higher
    // beyond it: refused.
    let mut wide = runs("randbit-width", &["digit"], |v, s| {
        (if v[0] == "4" { 0.7 } else { 0.5 }) + jitter(s)
    });
    for r in wide.iter_mut().filter(|r| r.values[0] == "4") {
        r.metrics.probes.get_mut("digit").unwrap().offline_at_init = 0.4;
    }
    assert_eq!(verdict("randbit-width", &wide).outcome, Outcome::Holds);
    for r in wide.iter_mut().filter(|r| r.values[0] == "4") {
        r.metrics.probes.get_mut("digit").unwrap().offline_at_init = 0.2;
    }
    assert_eq!(verdict("randbit-width", &wide).outcome, Outcome::NotShown);
}

#[test]
fn a_null_claim_where_training_adds_nothing_is_refused() {
    // Off the floor at both widths, but every trained probe equals its untrained encoder's:
    // "training adds no more at width 4" would hold vacuously, so the gate refuses it.
    let mut idle = runs("randbit-width", &["digit"], |_, s| 0.5 + jitter(s));
    for r in idle.iter_mut() {
        let p = r.metrics.probes.get_mut("digit").unwrap();
        p.offline_at_init = p.offline_test_acc;
    }
    let v = verdict("randbit-width", &idle);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("learned"), "{}", v.evidence);
}

#[test]
fn the_autoencoder_must_still_learn_the_digit_with_bits() {
    // At 10 bits NT-Xent reads 0.05 and the autoencoder more, learned without bits; its
    // untrained encoder reads 0.3 at 10 bits (0.2 elsewhere).
    let make = |ae_at_bits: f32| {
        let mut r = runs("randbit-autoencoder", &["digit"], |v, s| {
            (match (v[0].as_str(), v[1].as_str()) {
                ("0", _) => 0.9,
                (_, "autoencoder") => ae_at_bits,
                _ => 0.05,
            }) + jitter(s)
        });
        for x in r.iter_mut().filter(|r| r.values[0] != "0") {
            x.metrics.probes.get_mut("digit").unwrap().offline_at_init = 0.3;
        }
        verdict("randbit-autoencoder", &r)
    };
    // Above NT-Xent but no more than its untrained encoder: not learned, refused.
    let v = make(0.3);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("still learns"), "{}", v.evidence);
    assert_eq!(make(0.6).outcome, Outcome::Holds);
}

#[test]
fn the_autoencoder_is_judged_against_its_own_start_seed_by_seed() {
    // The untrained encoder's level differs between seeds (0.26, 0.37, 0.35) and each trained
    // autoencoder reads 0.09–0.11 more than its own: paired, learned; unpaired, the seeds'
    // spread (0.06) would double the margin past it. NT-Xent at 0.2, the digit learned without
    // bits.
    let make = |offset: [f32; 3]| {
        let init = [0.26, 0.37, 0.35];
        let mut r = runs("randbit-autoencoder", &["digit"], |v, s| {
            match (v[0].as_str(), v[1].as_str()) {
                ("0", _) => 0.9 + [0.0, 0.01, -0.01][s],
                (_, "autoencoder") => init[s] + offset[s],
                _ => 0.2,
            }
        });
        let first_seed = r.iter().map(|x| x.seed).min().unwrap();
        for x in r.iter_mut().filter(|r| r.values[0] != "0") {
            let p = x.metrics.probes.get_mut("digit").unwrap();
            p.offline_at_init = init[(x.seed - first_seed) as usize];
        }
        verdict("randbit-autoencoder", &r)
    };
    let learned = make([0.1, 0.09, 0.11]);
    assert_eq!(learned.outcome, Outcome::Holds, "{}", learned.evidence);
    assert!(
        learned.evidence.contains("per seed ±"),
        "{}",
        learned.evidence
    );
    // The same mean gain, but one run far off its own start and one below it: refused.
    let scattered = make([0.35, -0.05, 0.0]);
    assert_eq!(
        scattered.outcome,
        Outcome::NotShown,
        "{}",
        scattered.evidence
    );
}

#[test]
fn the_loss_family_spread_is_the_sd_across_losses() {
    use super::losses::spread;
    let accs = [0.3, 0.4, 0.5, 0.2];
    let mean = accs.iter().sum::<f32>() / 4.0;
    let naive = (accs.iter().map(|a| (a - mean).powi(2)).sum::<f32>() / 3.0).sqrt();
    assert!((spread(&accs) - naive).abs() < 1e-6);
    // One loss far off moves max − min by all of it, the sd by less.
    let outlier = [0.4, 0.41, 0.42, 0.1];
    assert!(spread(&outlier) < 0.42 - 0.1);
}

/// The loss family's runs: `acc(loss index, deep head)`, untrained 0.2.
fn loss_head_runs(acc: impl Fn(usize, bool) -> f32) -> Vec<SweepResult> {
    let jitter = |seed: usize| [0.0, 0.005, -0.005][seed];
    let p = Preset::find("loss-head").unwrap();
    let losses = p.sweep_spec().axes[0].values.clone();
    runs("loss-head", &["object"], |v, s| {
        let i = losses.iter().position(|l| *l == v[0]).unwrap();
        acc(i, v[1] != "0") + jitter(s)
    })
}

#[test]
fn the_loss_family_needs_every_loss_learned_and_raised_by_the_head() {
    // No head: 0.3 + 0.05·i (sd 0.08); deep head: all near 0.6 (sd 0.008). Holds.
    let v = verdict(
        "loss-head",
        &loss_head_runs(|i, deep| {
            if deep {
                0.6 + 0.005 * i as f32
            } else {
                0.3 + 0.05 * i as f32
            }
        }),
    );
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    // The spread shrinks, but because the head lowers the best losses: refused.
    let v = verdict(
        "loss-head",
        &loss_head_runs(|i, deep| if deep { 0.5 } else { 0.3 + 0.06 * i as f32 }),
    );
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(
        v.evidence.contains("the deep head raises"),
        "{}",
        v.evidence
    );
    // One loss not learned with the head (at its untrained 0.2): refused at its gate.
    let v = verdict(
        "loss-head",
        &loss_head_runs(|i, deep| match (i, deep) {
            (0, true) => 0.21,
            (_, true) => 0.6,
            _ => 0.1 + 0.02 * i as f32,
        }),
    );
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("gate"), "{}", v.evidence);
}

#[test]
fn tau_and_lambda_are_judged_on_their_interaction() {
    let jitter = |seed: usize| [0.0, 0.005, -0.005][seed];
    // (lambda, tau) → object: lambda lifts it by 0.15 at tau 0.1 and by `high` at tau 0.5.
    let make = |high: f32| {
        runs("loss-lambda", &["object"], |v, s| {
            let strong = v[0] == "3";
            let low_tau = v[1] == "0.1";
            (match (strong, low_tau) {
                (false, _) => 0.25,
                (true, true) => 0.4,
                (true, false) => 0.25 + high,
            }) + jitter(s)
        })
    };
    let v = verdict("loss-lambda", &make(0.03));
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    // Lambda lifts the probe alike at both temperatures: no interaction.
    let v = verdict("loss-lambda", &make(0.15));
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("interaction"), "{}", v.evidence);
    // The other way (lambda helps more at the high temperature): refused.
    assert_eq!(
        verdict("loss-lambda", &make(0.3)).outcome,
        Outcome::NotShown
    );
}

/// The first value of a preset's sweep (its left point).
fn first_point(preset: &str) -> String {
    Preset::find(preset).unwrap().sweep_spec().axes[0].values[0].clone()
}

#[test]
fn multidigits_needs_its_gate() {
    let equal = first_point("multidigits");
    // The fixed digit falls, but was never learned (trained = init = 0.2 at equal size).
    let unlearned = runs("multidigits", &["fixed_digit", "varying_digit"], |v, _| {
        if v[0] == equal { 0.2 } else { 0.12 }
    });
    let v = verdict("multidigits", &unlearned);
    assert_eq!(v.outcome, Outcome::NotShown);
    assert!(v.evidence.contains("gate"), "{}", v.evidence);
}

#[test]
fn a_fall_the_untrained_encoder_shows_too_is_the_datas() {
    let equal = first_point("multidigits");
    // Learned at equal size (0.5 against 0.2 at init), falls to 0.3 as the other grows.
    let mut results = runs("multidigits", &["fixed_digit", "varying_digit"], |v, s| {
        (if v[0] == equal { 0.5 } else { 0.3 }) + jitter(s)
    });
    let v = verdict("multidigits", &results);
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    // The same trained numbers, but the untrained encoder's probe falls by as much (0.2 →
    // 0.02): the data, not the loss, made the digit harder to read.
    for r in results.iter_mut().filter(|r| r.values[0] != equal) {
        for p in r.metrics.probes.values_mut() {
            p.offline_at_init = 0.02;
        }
    }
    let v = verdict("multidigits", &results);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("untrained"), "{}", v.evidence);
}

#[test]
fn a_large_digit_above_chance_but_not_above_the_untrained_encoder_is_not_learned() {
    let equal = first_point("multidigits");
    // The fixed digit: learned (0.6 against 0.2 at init) and suppressed (to 0.15, init
    // stays 0.2). The growing digit at its largest reads 0.6 against chance 0.1, but the
    // untrained encoder already reads 0.6: above chance only, which is no gate.
    let mut results = runs("multidigits", &["fixed_digit", "varying_digit"], |v, s| {
        (if v[0] == equal { 0.6 } else { 0.15 }) + jitter(s)
    });
    for r in results.iter_mut().filter(|r| r.values[0] != equal) {
        let varying = r.metrics.probes.get_mut("varying_digit").unwrap();
        varying.offline_test_acc = 0.6;
        varying.offline_at_init = 0.6;
    }
    let v = verdict("multidigits", &results);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(
        v.evidence.contains("varying_digit learned"),
        "{}",
        v.evidence
    );
    // Learned beyond the untrained encoder (0.9 against 0.6): the finding holds.
    for r in results.iter_mut().filter(|r| r.values[0] != equal) {
        r.metrics
            .probes
            .get_mut("varying_digit")
            .unwrap()
            .offline_test_acc = 0.9;
    }
    let v = verdict("multidigits", &results);
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
}

/// Colour vs shape's runs: shape at `shape(point is with jitter)`, colour at `colour`
/// everywhere (untrained 0.2 and chance 0.1 for both).
fn colour_shape_runs(shape: impl Fn(bool) -> f32, colour: f32) -> Vec<SweepResult> {
    let off = first_point("colour-shape");
    let mut results = runs("colour-shape", &["shape", "colour"], |v, s| {
        shape(v[0] != off) + jitter(s)
    });
    for r in &mut results {
        r.metrics.probes.get_mut("colour").unwrap().offline_test_acc = colour;
    }
    results
}

#[test]
fn colour_shape_judges_shape_and_colour_against_the_untrained_encoder() {
    // Suppressed below the untrained 0.2 without jitter, learned beyond it with jitter.
    let v = verdict(
        "colour-shape",
        &colour_shape_runs(|on| if on { 0.5 } else { 0.1 }, 0.9),
    );
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    // Shape rises by 0.12 but only back to about the untrained level: no rescue.
    let v = verdict(
        "colour-shape",
        &colour_shape_runs(|on| if on { 0.22 } else { 0.1 }, 0.9),
    );
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("shape learned"), "{}", v.evidence);
    // Colour above chance (0.1) but not above the untrained encoder's 0.2: the gate fails.
    let v = verdict(
        "colour-shape",
        &colour_shape_runs(|on| if on { 0.5 } else { 0.1 }, 0.22),
    );
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("gate: colour"), "{}", v.evidence);
    // Shape never below the untrained level without jitter: nothing was suppressed.
    let v = verdict(
        "colour-shape",
        &colour_shape_runs(|on| if on { 0.5 } else { 0.2 }, 0.9),
    );
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("suppressed"), "{}", v.evidence);
}

#[test]
fn a_hierarchy_counts_only_beyond_the_untrained_encoders() {
    // (ARI vs objects, vs parts) trained and at init, at block 1 and block 3.
    let make = |init_parts_early: f32| {
        let mut results = runs("local-hierarchy", &[], |_, _| 0.0);
        for r in &mut results {
            let seed = r.seed as usize % 3;
            let early = r.values[0] == "1";
            let m = &mut r.metrics;
            let (objects, parts) = if early { (0.2, 0.5) } else { (0.5, 0.2) };
            m.ari = Some(objects + jitter(seed));
            m.ari_parts = Some(parts);
            m.ari_at_init = Some(0.2);
            m.ari_parts_at_init = Some(if early { init_parts_early } else { 0.2 });
        }
        verdict("local-hierarchy", &results)
    };
    // Trained: block 1 prefers parts by 0.3, block 3 objects by 0.3; at init no preference.
    let v = make(0.2);
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    // The untrained encoder's block 1 already prefers parts as much: not training's doing.
    let v = make(0.8);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
    assert!(v.evidence.contains("untrained"), "{}", v.evidence);
}

#[test]
fn a_hierarchy_is_judged_seed_by_seed() {
    // Each seed's untrained encoder prefers the texture at block 1 by a different amount
    // (0.10, 0.20, 0.30 more than block 3), and each trained encoder by 0.07 more than its
    // own: paired, a clear 0.07; unpaired, the seeds' spread (0.1) swamps it.
    let make = |gain: [f32; 3]| {
        let mut results = runs("local-hierarchy", &[], |_, _| 0.0);
        for r in &mut results {
            let seed = r.seed as usize % 3;
            let early = r.values[0] == "1";
            let init = [0.10, 0.20, 0.30][seed];
            let m = &mut r.metrics;
            m.ari_at_init = Some(if early { 0.05 } else { 0.10 });
            m.ari = Some(if early { 0.05 } else { 0.20 });
            m.ari_parts_at_init = Some(if early { 0.15 + init } else { 0.10 });
            // Trained block 3 gains 0.1 on the objects; the texture at block 1 keeps the rest.
            m.ari_parts = Some(if early {
                0.15 + init + gain[seed] - 0.1
            } else {
                0.10
            });
        }
        verdict("local-hierarchy", &results)
    };
    let v = make([0.07, 0.07, 0.07]);
    assert_eq!(v.outcome, Outcome::Holds, "{}", v.evidence);
    assert!(v.evidence.contains("per seed ± 0.000"), "{}", v.evidence);
    // The same mean gain, but one seed against the others: refused.
    let v = make([0.27, -0.03, -0.03]);
    assert_eq!(v.outcome, Outcome::NotShown, "{}", v.evidence);
}

#[test]
fn a_single_seed_never_holds() {
    let p = Preset::find("colour-shape").unwrap();
    let spec = p.sweep_spec();
    let mut one = runs("colour-shape", &["shape", "colour"], |v, _| {
        if v[0] == "0" { 0.2 } else { 0.8 }
    });
    one.retain(|r| r.seed == ExperimentConfig::default().seed);
    assert_eq!(one.len(), spec.runs());
    let v = p.verdict(&one);
    assert_eq!(v.outcome, Outcome::NotShown);
    assert!(v.evidence.contains("seed"), "{}", v.evidence);
}
