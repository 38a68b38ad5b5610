//! A whole run, driven to the end: what the CLI saves as `run.json` and the page exports.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::train::{Evaluation, StepMetrics, Throughput, TrainError, Trainer};

/// Something the caller may show as it happens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    Metrics(StepMetrics),
    Throughput(Throughput),
    Evaluation(Evaluation),
}

/// Final accuracies of one feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FinalProbe {
    pub online_test_acc: f32,
    pub offline_test_acc: f32,
    pub knn_acc: f32,
    pub chance: f32,
    /// Online probe accuracy on the last read training batch.
    pub online_train_acc: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FinalMetrics {
    pub contrastive_acc: f32,
    pub alignment: f32,
    pub uniformity: f32,
    pub probes: BTreeMap<String, FinalProbe>,
    /// Adjusted Rand index of the configured block's clusters vs the true masks, where the
    /// dataset has masks; and the same at initialisation (step 0) for comparison.
    pub ari: Option<f32>,
    pub ari_at_init: Option<f32>,
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
            final_metrics: FinalMetrics {
                contrastive_acc: 0.0,
                alignment: 0.0,
                uniformity: 0.0,
                probes: BTreeMap::new(),
                ari: None,
                ari_at_init: None,
            },
        }
    }

    /// Adds an event and refreshes the final summary.
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
        if let Some(e) = self.evaluations.last() {
            f.probes = e
                .probes
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let train = last_train
                        .and_then(|m| m.probe_train_acc.get(i))
                        .copied()
                        .unwrap_or(0.0);
                    (
                        p.feature.clone(),
                        FinalProbe {
                            online_test_acc: p.online_test_acc,
                            offline_test_acc: p.offline_test_acc,
                            knn_acc: p.knn_acc,
                            chance: p.chance,
                            online_train_acc: train,
                        },
                    )
                })
                .collect();
            f.ari = block_ari(e, block);
            f.ari_at_init = self
                .evaluations
                .first()
                .and_then(|first| block_ari(first, block));
        }
    }
}

/// The adjusted Rand index of `block`'s clusters in an evaluation, if it has local features.
fn block_ari(e: &Evaluation, block: usize) -> Option<f32> {
    e.local.iter().find(|l| l.block == block).map(|l| l.ari)
}

/// Advances the trainer by one step and returns what became known (metrics at read steps,
/// an evaluation at checkpoints). Before the first step it evaluates the initial encoder.
/// `now` is the caller's clock in seconds.
pub async fn advance(
    trainer: &mut Trainer,
    now: impl Fn() -> f64,
) -> Result<Vec<Event>, TrainError> {
    let mut events = Vec::new();
    if trainer.steps_done() == 0 {
        events.push(Event::Evaluation(trainer.evaluate().await?));
        trainer.start_clock(now());
    }
    if trainer.finished() {
        return Ok(events);
    }
    trainer.step();
    if trainer.read_due()
        && let Some((metrics, throughput)) = trainer.read_metrics(now()).await?
    {
        events.push(Event::Metrics(metrics));
        events.extend(throughput.map(Event::Throughput));
    }
    if trainer.evaluation_due() {
        events.push(Event::Evaluation(trainer.evaluate().await?));
        trainer.start_clock(now()); // throughput counts training only
    }
    Ok(events)
}
