use super::*;

#[test]
fn a_value_carries_the_settings_that_go_with_it() {
    let s = SweepSpec::parse(
        "loss:ntxent,swd_sphere~lambda:5;head_depth:0,3",
        Metric::Offline,
    )
    .unwrap();
    assert_eq!(
        s.to_string(),
        "loss:ntxent,swd_sphere~lambda:5;head_depth:0,3"
    );
    let base = ExperimentConfig {
        lambda: 0.5,
        ..ExperimentConfig::default()
    };
    let points = s.points(&base);
    let at = |loss: &str, depth: usize| {
        points
            .iter()
            .find(|p| p.config.loss.name() == loss && p.config.head_depth == depth)
            .unwrap()
    };
    assert_eq!(at("swd_sphere", 3).config.lambda, 5.0);
    assert_eq!(at("swd_sphere", 3).values, ["swd_sphere~lambda:5", "3"]);
    assert_eq!(
        at("ntxent", 0).config.lambda,
        0.5,
        "the base's value elsewhere"
    );
    // A bad carried value, a knob the axis sets itself, and one another axis sweeps are
    // refused by name.
    for bad in [
        "loss:swd_sphere~lambda:-1",
        "loss:swd_sphere~nope:1",
        "loss:ntxent~loss:swd_cube",
        "loss:ntxent~head_depth:1;head_depth:0,3",
    ] {
        let e = SweepSpec::parse(bad, Metric::Offline).unwrap_err();
        assert!(matches!(e, SweepError::BadValue { .. }), "{bad}: {e}");
    }
}

#[test]
fn parse_and_print_round_trip() {
    let s = SweepSpec::parse("bits:0,5,10; tau:0.05,0.5", Metric::Offline).unwrap();
    assert_eq!(s.runs(), 6);
    assert_eq!(s.to_string(), "bits:0,5,10;tau:0.05,0.5");
    assert_eq!(
        SweepSpec::parse(&s.to_string(), Metric::Offline).unwrap(),
        s
    );
}

#[test]
fn bad_sweeps_are_refused_with_a_reason() {
    for (text, needle) in [
        ("", "no axis"),
        ("bits", "expected key"),
        ("nope:1,2", "unknown parameter"),
        ("bits:1,99", "bits=99"),
        ("bits:", "no values"),
        ("bits:1;bits:2", "twice"),
        ("bits:1;tau:0.1;lr:0.1", "at most 2"),
        (
            "seed:1,2,3,4,5,6,7,8,9,10;bits:0,1,2,3,4,5,6,7",
            "at most 64",
        ),
    ] {
        let e = SweepSpec::parse(text, Metric::Offline)
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "{text:?}: {e}");
    }
    assert!(Metric::parse("accuracy").is_err());
    assert_eq!(Metric::parse("ari"), Ok(Metric::Ari));
}

#[test]
fn points_cover_the_grid_first_axis_outermost() {
    let s = SweepSpec::parse("bits:0,5;tau:0.1,0.5,1", Metric::Offline).unwrap();
    let p = s.points(&ExperimentConfig::default());
    assert_eq!(p.len(), 6);
    assert_eq!(p[0].values, ["0", "0.1"]);
    assert_eq!(p[2].values, ["0", "1"]);
    assert_eq!(p[3].values, ["5", "0.1"]);
    assert_eq!((p[4].config.bits, p[4].config.tau), (5, 0.5));
}

#[test]
fn seeds_repeat_each_point_with_consecutive_seeds() {
    let s = SweepSpec::parse("bits:0,5", Metric::Offline)
        .unwrap()
        .with_seeds(3)
        .unwrap();
    assert_eq!(s.runs(), 6);
    let base = ExperimentConfig {
        seed: 7,
        ..ExperimentConfig::default()
    };
    let p = s.points(&base);
    let seeds: Vec<u64> = p.iter().map(|p| p.config.seed).collect();
    assert_eq!(seeds, [7, 8, 9, 7, 8, 9]);
    assert_eq!(
        (p[4].values.as_slice(), p[4].replicate),
        (&["5".to_string()][..], 1)
    );
    // Limits: seeds 1..=10 and at most 64 runs in all.
    assert!(s.clone().with_seeds(0).is_err());
    assert!(SweepSpec::parse_seeds("11").is_err() && SweepSpec::parse_seeds("x").is_err());
    let big = SweepSpec::parse(
        "bits:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20",
        Metric::Offline,
    )
    .unwrap();
    assert!(matches!(
        big.with_seeds(4),
        Err(SweepError::TooManyRuns(84))
    ));
}

#[test]
fn categorical_first_axis_uses_indices_and_labels() {
    let s = SweepSpec::parse("loss:ntxent,swd_cube;head_depth:0,3", Metric::Contrastive).unwrap();
    assert_eq!(s.x_positions(), [0.0, 1.0]);
    assert_eq!(s.x_labels().unwrap(), ["ntxent", "swd_cube"]);
}
