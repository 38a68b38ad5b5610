//! The live charts' lines, derived from a run record (and a pinned run drawn dashed under it).
//! Plain functions of plain data, so the page only draws them and the tests check them.

use super::svg::{Series, colour};
use crate::record::{RunRecord, StepMetrics};

fn history(r: &RunRecord, f: impl Fn(&StepMetrics) -> f32) -> Vec<(f32, f32)> {
    r.history.iter().map(|m| (m.step as f32, f(m))).collect()
}

/// Greys of the overlaid runs' lines, first and second.
pub const OVERLAY: [&str; 2] = ["#888", "#b06a2c"];

/// Total loss and its two parts; each overlaid run's total dashed.
pub fn loss(r: &RunRecord, overlays: &[(String, &RunRecord)]) -> Vec<Series> {
    let mut s = vec![
        Series::new("total", colour(0), history(r, |m| m.loss)),
        Series::new("alignment", colour(1), history(r, |m| m.alignment)),
        Series::new("distribution", colour(2), history(r, |m| m.distribution)),
    ];
    for (k, (name, p)) in overlays.iter().enumerate() {
        s.push(
            Series::new(
                format!("{name} total"),
                OVERLAY[k % 2],
                history(p, |m| m.loss),
            )
            .dashed(),
        );
    }
    s
}

/// Per feature: the online probe on training batches, on the test split at checkpoints, and
/// its chance level (dashed, the feature's colour); each overlaid run's test accuracy dashed.
pub fn probes(r: &RunRecord, overlays: &[(String, &RunRecord)]) -> Vec<Series> {
    let mut s = Vec::new();
    for (i, name) in r.feature_names().iter().enumerate() {
        s.push(Series::new(
            format!("{name} train"),
            colour(i),
            r.history
                .iter()
                .filter_map(|m| m.probe_train_acc.get(i).map(|a| (m.step as f32, *a)))
                .collect(),
        ));
        s.push(Series::new(
            format!("{name} test"),
            colour(i + 4),
            r.evaluations
                .iter()
                .filter_map(|e| e.probes.get(i).map(|p| (e.step as f32, p.online_test_acc)))
                .collect(),
        ));
        if let Some((e, p)) = r
            .evaluations
            .last()
            .and_then(|e| e.probes.get(i).map(|p| (e, p)))
        {
            let last = r.history.last().map_or(e.step, |m| m.step).max(1) as f32;
            s.push(
                Series::new(
                    format!("{name} chance"),
                    colour(i),
                    vec![(0.0, p.chance), (last, p.chance)],
                )
                .dashed(),
            );
        }
        for (k, (run, p)) in overlays.iter().enumerate() {
            s.push(
                Series::new(
                    format!("{run} {name}"),
                    OVERLAY[k % 2],
                    p.evaluations
                        .iter()
                        .filter_map(|e| {
                            let q = e.probes.iter().find(|q| &q.feature == name)?;
                            Some((e.step as f32, q.online_test_acc))
                        })
                        .collect(),
                )
                .dashed(),
            );
        }
    }
    s
}

/// Top-1 contrastive accuracy.
pub fn contrastive(r: &RunRecord) -> Vec<Series> {
    vec![Series::new(
        "contrastive top-1",
        colour(0),
        history(r, |m| m.contrastive_acc),
    )]
}

/// Wang–Isola alignment and uniformity.
pub fn geometry(r: &RunRecord) -> Vec<Series> {
    vec![
        Series::new("alignment", colour(1), history(r, |m| m.align_metric)),
        Series::new("uniformity", colour(2), history(r, |m| m.uniformity)),
    ]
}

/// Steps per second and images per second (scaled to share the axis).
pub fn throughput(r: &RunRecord) -> Vec<Series> {
    let pts = |f: fn(&crate::record::Throughput) -> f32| {
        r.throughput.iter().map(|t| (t.step as f32, f(t))).collect()
    };
    vec![
        Series::new("steps/s", colour(0), pts(|t| t.steps_per_s)),
        Series::new("images/s / 100", colour(3), pts(|t| t.images_per_s / 100.0)),
    ]
}

/// The last evaluation's 2-D embedding, each point with its label of feature `feature`.
pub fn embedding(r: &RunRecord, feature: usize) -> Vec<([f32; 2], usize)> {
    r.evaluations
        .last()
        .map(|e| {
            e.embedding
                .iter()
                .zip(&e.embedding_labels)
                .map(|(p, l)| (*p, l.get(feature).copied().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

/// The last evaluation's similarity matrix (`[2k, 2k]`, row-major).
pub fn similarity(r: &RunRecord) -> Vec<f32> {
    r.evaluations
        .last()
        .map(|e| e.similarity.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Evaluation, Event, ProbeResult};
    use crate::render::svg::Stroke;

    fn evaluation(step: usize, features: &[&str]) -> Evaluation {
        Evaluation {
            step,
            probes: features
                .iter()
                .map(|f| ProbeResult {
                    feature: f.to_string(),
                    online_test_acc: 0.5,
                    offline_test_acc: 0.5,
                    knn_acc: 0.5,
                    chance: 0.1,
                })
                .collect(),
            local: Vec::new(),
            local_images: Vec::new(),
            embedding: vec![[0.0, 1.0]],
            embedding_labels: vec![vec![3, 4]],
            similarity: vec![1.0],
        }
    }

    fn record() -> RunRecord {
        let mut r = RunRecord::new(String::new(), String::new(), String::new());
        r.record(&Event::Evaluation(evaluation(0, &["object", "digit"])), 2);
        let m = StepMetrics {
            step: 10,
            loss: 3.0,
            probe_train_acc: vec![0.3, 0.4],
            ..StepMetrics::default()
        };
        r.record(&Event::Metrics(m), 2);
        r
    }

    #[test]
    fn each_feature_has_train_test_and_a_dashed_chance_line_in_its_colour() {
        let s = probes(&record(), &[]);
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "object train",
                "object test",
                "object chance",
                "digit train",
                "digit test",
                "digit chance"
            ]
        );
        assert_eq!(s[0].colour, s[2].colour);
        assert!(s[2].stroke == Stroke::Dashed && s[0].stroke == Stroke::Solid);
        assert_eq!(s[3].points, [(10.0, 0.4)]);
        assert_eq!(s[5].points, [(0.0, 0.1), (10.0, 0.1)]);
    }

    #[test]
    fn a_stale_evaluation_with_fewer_probes_is_skipped_not_a_panic() {
        let mut r = record();
        r.evaluations.push(evaluation(20, &["object"]));
        let other = record();
        let s = probes(&r, &[("run 2".into(), &other)]);
        let digit_test = s.iter().find(|s| s.name == "digit test").unwrap();
        assert_eq!(digit_test.points.len(), 1);
        assert!(
            s.iter()
                .any(|s| s.name == "run 2 digit" && s.stroke == Stroke::Dashed)
        );
        assert_eq!(loss(&r, &[("a".into(), &r), ("b".into(), &r)]).len(), 5);
    }

    #[test]
    fn embedding_takes_the_chosen_features_labels() {
        let r = record();
        assert_eq!(embedding(&r, 1), [([0.0, 1.0], 4)]);
        assert_eq!(embedding(&r, 7), [([0.0, 1.0], 0)]);
        assert_eq!(similarity(&r), [1.0]);
    }
}
