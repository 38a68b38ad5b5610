//! What a run produces, as plain data: metrics read during training, checkpoint evaluations,
//! and the run record the CLI saves as `run.json` and the page exports. No tensors here, so the
//! sweep, the presets, the page and the worker protocol can use these types without the
//! learning code.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Which backend trains. (The concrete devices are made in `learn::backend`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendKind {
    /// burn's `flex` CPU backend (SIMD + threads natively; single-threaded in a worker on wasm).
    Cpu,
    /// burn's wgpu backend: Vulkan/Metal natively, WebGPU in the browser.
    Wgpu,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Cpu => "cpu",
            BackendKind::Wgpu => "wgpu",
        }
    }

    /// The backend called `name` ([`BackendKind::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        [BackendKind::Cpu, BackendKind::Wgpu]
            .into_iter()
            .find(|b| b.name() == name)
    }
}

/// Metrics of one step, read at a checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepMetrics {
    pub step: usize,
    pub loss: f32,
    pub alignment: f32,
    pub distribution: f32,
    /// Summed cross-entropy of the online probes on this batch.
    pub probe_loss: f32,
    /// Online probe accuracy on this (augmented) training batch, per feature.
    pub probe_train_acc: Vec<f32>,
    /// Is each view's positive the most similar of the 2n − 1 others?
    pub contrastive_acc: f32,
    /// Wang–Isola alignment E‖x − y‖² and uniformity (t = 2) of unit projections.
    pub align_metric: f32,
    pub uniformity: f32,
}

/// Throughput between two reads, measured by the caller's clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    pub step: usize,
    pub steps_per_s: f32,
    pub images_per_s: f32,
}

/// Accuracies of one competing feature on the held-out test split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub feature: String,
    pub online_test_acc: f32,
    pub offline_test_acc: f32,
    pub knn_acc: f32,
    /// Majority-class frequency of the test split: what a constant guess scores.
    pub chance: f32,
}

/// K-means on one block's feature maps for a few test images.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalFeatures {
    /// 1-based block index.
    pub block: usize,
    pub map_height: usize,
    pub map_width: usize,
    /// Cluster id per feature-map position, one map per image.
    pub maps: Vec<Vec<u8>>,
    /// Mean adjusted Rand index of the (upsampled) clusters against the true object masks.
    pub ari: f32,
    /// The same for K-means on the raw pixels average-pooled to this block's resolution: what
    /// a trained block must beat to have learned anything local.
    #[serde(default)]
    pub ari_pixels: f32,
    /// ARI against part masks (object ids split by texture stripes), where the data has them.
    #[serde(default)]
    pub ari_parts: Option<f32>,
}

/// A checkpoint evaluation on the test split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub step: usize,
    pub probes: Vec<ProbeResult>,
    /// One entry per encoder block, where the dataset has masks.
    pub local: Vec<LocalFeatures>,
    /// Indices (into the test split) of the images the local features are shown for.
    pub local_images: Vec<usize>,
    /// 2-D PCA of the first test representations, with each point's labels (per feature).
    pub embedding: Vec<[f32; 2]>,
    pub embedding_labels: Vec<Vec<usize>>,
    /// Cosine similarities of the projections of both augmented views of the first few test
    /// images (`[2k, 2k]`, row-major; view 1 of all, then view 2).
    pub similarity: Vec<f32>,
}

/// Something the caller may show as it happens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    Metrics(StepMetrics),
    Throughput(Throughput),
    Evaluation(Evaluation),
}

/// Final accuracies of one feature, and the same probes on the encoder at initialisation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FinalProbe {
    pub online_test_acc: f32,
    pub offline_test_acc: f32,
    pub knn_acc: f32,
    pub chance: f32,
    /// Online probe accuracy on the last read training batch.
    pub online_train_acc: f32,
    /// Offline probe and kNN on the untrained encoder (step 0).
    #[serde(default)]
    pub offline_at_init: f32,
    #[serde(default)]
    pub knn_at_init: f32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FinalMetrics {
    pub contrastive_acc: f32,
    pub alignment: f32,
    pub uniformity: f32,
    pub probes: BTreeMap<String, FinalProbe>,
    /// Adjusted Rand index of the configured block's clusters vs the true masks, where the
    /// dataset has masks; the same at initialisation (step 0), and for K-means on the raw
    /// pixels at that block's resolution, for comparison.
    pub ari: Option<f32>,
    pub ari_at_init: Option<f32>,
    #[serde(default)]
    pub ari_pixels: Option<f32>,
    /// The configured block's clusters against the objects' parts, where the dataset has them
    /// (finer groups than the objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ari_parts: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ari_parts_at_init: Option<f32>,
    /// Every block's local features at the end: (block, ARI vs objects, ARI vs parts).
    #[serde(default)]
    pub blocks: Vec<BlockAri>,
}

/// One block's final local-feature scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockAri {
    pub block: usize,
    pub ari: f32,
    pub ari_at_init: f32,
    pub ari_pixels: f32,
    pub ari_parts: Option<f32>,
}

/// Everything a run produced. Timing lives in `throughput` only, so two runs of the same
/// config compare equal everywhere else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub config: String,
    pub fingerprint: String,
    pub backend: String,
    pub history: Vec<StepMetrics>,
    pub evaluations: Vec<Evaluation>,
    pub throughput: Vec<Throughput>,
    #[serde(rename = "final")]
    pub final_metrics: FinalMetrics,
}

impl RunRecord {
    pub fn new(config: String, fingerprint: String, backend: String) -> Self {
        Self {
            config,
            fingerprint,
            backend,
            history: Vec::new(),
            evaluations: Vec::new(),
            throughput: Vec::new(),
            final_metrics: FinalMetrics::default(),
        }
    }

    /// Adds an event and refreshes the final summary (`block` is the configured block whose
    /// local features the summary reports).
    pub fn record(&mut self, event: &Event, block: usize) {
        match event {
            Event::Metrics(m) => self.history.push(m.clone()),
            Event::Throughput(t) => self.throughput.push(t.clone()),
            Event::Evaluation(e) => self.evaluations.push(e.clone()),
        }
        let f = &mut self.final_metrics;
        let last_train = self.history.last();
        if let Some(m) = last_train {
            (f.contrastive_acc, f.alignment, f.uniformity) =
                (m.contrastive_acc, m.align_metric, m.uniformity);
        }
        if let (Some(first), Some(e)) = (self.evaluations.first(), self.evaluations.last()) {
            f.probes = e
                .probes
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let train = last_train
                        .and_then(|m| m.probe_train_acc.get(i))
                        .copied()
                        .unwrap_or(0.0);
                    let init = first.probes.get(i);
                    (
                        p.feature.clone(),
                        FinalProbe {
                            online_test_acc: p.online_test_acc,
                            offline_test_acc: p.offline_test_acc,
                            knn_acc: p.knn_acc,
                            chance: p.chance,
                            online_train_acc: train,
                            offline_at_init: init.map_or(f32::NAN, |q| q.offline_test_acc),
                            knn_at_init: init.map_or(f32::NAN, |q| q.knn_acc),
                        },
                    )
                })
                .collect();
            fn at(e: &Evaluation, b: usize) -> Option<&LocalFeatures> {
                e.local.iter().find(|l| l.block == b)
            }
            f.ari = at(e, block).map(|l| l.ari);
            f.ari_at_init = at(first, block).map(|l| l.ari);
            f.ari_pixels = at(e, block).map(|l| l.ari_pixels);
            f.ari_parts = at(e, block).and_then(|l| l.ari_parts);
            f.ari_parts_at_init = at(first, block).and_then(|l| l.ari_parts);
            f.blocks = e
                .local
                .iter()
                .map(|l| BlockAri {
                    block: l.block,
                    ari: l.ari,
                    ari_at_init: at(first, l.block).map_or(f32::NAN, |i| i.ari),
                    ari_pixels: l.ari_pixels,
                    ari_parts: l.ari_parts,
                })
                .collect();
        }
    }

    /// The run without what only its last view needs (embedding, similarity, cluster maps):
    /// small enough to keep many of in the browser's storage, and all the charts need.
    pub fn compact(&self) -> RunRecord {
        let mut r = self.clone();
        for e in &mut r.evaluations {
            e.embedding.clear();
            e.embedding_labels.clear();
            e.similarity.clear();
            e.local_images.clear();
            for l in &mut e.local {
                l.maps.clear();
            }
        }
        r
    }

    /// A line of the final numbers: each feature's offline probe, then contrastive accuracy.
    pub fn headline(&self) -> String {
        let f = &self.final_metrics;
        let mut parts: Vec<String> = f
            .probes
            .iter()
            .map(|(name, p)| format!("{name} {:.2}", p.offline_test_acc))
            .collect();
        parts.push(format!("contrastive {:.2}", f.contrastive_acc));
        if let Some(ari) = f.ari {
            parts.push(format!("ARI {ari:.2}"));
        }
        parts.join(" · ")
    }

    /// Names of the probed features, in probe order (from the first evaluation).
    pub fn feature_names(&self) -> Vec<String> {
        self.evaluations
            .first()
            .map(|e| e.probes.iter().map(|p| p.feature.clone()).collect())
            .unwrap_or_default()
    }

    /// The metric history as CSV: one row per read step, one probe column per feature, the
    /// config link and the fingerprint as trailing comments.
    pub fn history_csv(&self) -> String {
        let mut out = String::from(
            "step,loss,alignment,distribution,probe_loss,contrastive_acc,align_metric,uniformity",
        );
        for f in self.feature_names() {
            let _ = write!(out, ",{f}.probe_train_acc");
        }
        out.push('\n');
        for m in &self.history {
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{}",
                m.step,
                m.loss,
                m.alignment,
                m.distribution,
                m.probe_loss,
                m.contrastive_acc,
                m.align_metric,
                m.uniformity
            );
            for a in &m.probe_train_acc {
                let _ = write!(out, ",{a}");
            }
            out.push('\n');
        }
        let _ = write!(
            out,
            "# config: {}\n# fingerprint: {}\n",
            self.config, self.fingerprint
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(step: usize, acc: f32, ari: f32) -> Evaluation {
        Evaluation {
            step,
            probes: vec![ProbeResult {
                feature: "digit".into(),
                online_test_acc: acc,
                offline_test_acc: acc,
                knn_acc: acc,
                chance: 0.1,
            }],
            local: vec![LocalFeatures {
                block: 2,
                map_height: 1,
                map_width: 1,
                maps: vec![vec![0]],
                ari,
                ari_pixels: 0.1,
                ari_parts: None,
            }],
            local_images: vec![0],
            embedding: Vec::new(),
            embedding_labels: Vec::new(),
            similarity: Vec::new(),
        }
    }

    #[test]
    fn the_summary_follows_the_last_evaluation_and_keeps_the_first_ari() {
        let mut r = RunRecord::new("v=2".into(), "f".into(), "cpu".into());
        r.record(&Event::Evaluation(evaluation(0, 0.2, 0.05)), 2);
        let metrics = StepMetrics {
            step: 10,
            loss: 1.5,
            probe_train_acc: vec![0.7],
            contrastive_acc: 0.4,
            ..StepMetrics::default()
        };
        r.record(&Event::Metrics(metrics), 2);
        r.record(&Event::Evaluation(evaluation(10, 0.8, 0.3)), 2);
        let p = &r.final_metrics.probes["digit"];
        assert_eq!((p.offline_test_acc, p.online_train_acc), (0.8, 0.7));
        assert_eq!(
            p.offline_at_init, 0.2,
            "the probe at step 0 stays beside the trained one"
        );
        assert_eq!(r.final_metrics.contrastive_acc, 0.4);
        assert_eq!(
            (r.final_metrics.ari, r.final_metrics.ari_at_init),
            (Some(0.3), Some(0.05))
        );
        // Another block has no local features here.
        let mut other = RunRecord::new(String::new(), String::new(), String::new());
        other.record(&Event::Evaluation(evaluation(0, 0.2, 0.05)), 3);
        assert_eq!(other.final_metrics.ari, None);
    }

    #[test]
    fn a_compact_record_keeps_the_curves_and_drops_the_pictures() {
        let mut r = RunRecord::new("v=2".into(), "f".into(), "cpu".into());
        let mut e = evaluation(0, 0.5, 0.1);
        e.embedding = vec![[0.0, 1.0]; 100];
        e.similarity = vec![0.5; 1024];
        r.record(&Event::Evaluation(e), 2);
        let c = r.compact();
        assert!(c.evaluations[0].embedding.is_empty() && c.evaluations[0].similarity.is_empty());
        assert_eq!(c.evaluations[0].probes, r.evaluations[0].probes);
        assert_eq!(c.final_metrics, r.final_metrics);
        assert!(
            c.headline().starts_with("digit 0.50 · contrastive"),
            "{}",
            c.headline()
        );
    }

    #[test]
    fn history_csv_has_a_column_per_feature_and_names_the_run() {
        let mut r = RunRecord::new("v=2&bits=3".into(), "abc".into(), "cpu".into());
        r.record(&Event::Evaluation(evaluation(0, 0.2, 0.0)), 2);
        let m = StepMetrics {
            step: 5,
            loss: 2.0,
            probe_train_acc: vec![0.25],
            ..StepMetrics::default()
        };
        r.record(&Event::Metrics(m), 2);
        let csv = r.history_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("step,loss,alignment"));
        assert!(lines[0].ends_with(",digit.probe_train_acc"));
        assert_eq!(lines[1], "5,2,0,0,0,0,0,0,0.25");
        assert_eq!(lines[2], "# config: v=2&bits=3");
        assert_eq!(lines[3], "# fingerprint: abc");
    }
}
