//! The one driver of a run, shared by the CLI, the page's worker and the tests: a [`Run`]
//! advances a [`Trainer`] step by step, records what becomes known, and [`drive`] takes it to
//! its end, handing control to the caller between steps (progress bar, pause, cancel).

use std::future::Future;
use std::sync::Arc;

use burn::prelude::Device;

use super::backend::BackendKind;
use super::model_file::{Loaded, ModelFile, ModelFileError};
use super::train::{TrainError, Trainer};
use crate::data::Dataset;
use crate::params::ExperimentConfig;
use crate::params::query::encode;
use crate::record::{Event, RunRecord};

/// A trainer and the record of everything it has produced so far.
pub struct Run {
    trainer: Trainer,
    record: RunRecord,
}

/// What the caller says between two steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// How [`drive`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Finished,
    /// The caller said [`Control::Stop`].
    Stopped,
}

impl Run {
    pub fn new(
        config: &ExperimentConfig,
        dataset: Arc<Dataset>,
        backend: BackendKind,
        device: &Device,
    ) -> Result<Self, TrainError> {
        let record = RunRecord::new(encode(config), dataset.fingerprint(), backend.name().into());
        Ok(Self {
            trainer: Trainer::new(config, dataset, backend, device)?,
            record,
        })
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Starts from a saved model's weights (before the first step); every tensor must fit.
    pub fn load_model(&mut self, file: &ModelFile) -> Result<Loaded, ModelFileError> {
        self.trainer.load_model(file, false)
    }

    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    pub fn into_record(self) -> RunRecord {
        self.record
    }

    /// Every step done and the final evaluation recorded.
    pub fn is_done(&self) -> bool {
        self.trainer.finished() && self.trainer.steps_done() > 0
    }

    /// Advances by one step and returns (and records) what became known: metrics at read
    /// steps, an evaluation at checkpoints. Before the first step it evaluates the initial
    /// encoder. `now` is the caller's clock in seconds.
    pub async fn advance(&mut self, now: impl Fn() -> f64) -> Result<Vec<Event>, TrainError> {
        let trainer = &mut self.trainer;
        let mut events = Vec::new();
        if trainer.steps_done() == 0 {
            events.push(Event::Evaluation(trainer.evaluate().await?));
            trainer.start_clock(now());
        }
        if !trainer.finished() {
            // Always on this thread, never moved onto the thread pool: burn keeps BatchNorm's
            // running statistics per thread, so steps on varying threads change the numbers.
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
        }
        let block = trainer.config.block;
        for e in &events {
            self.record.record(e, block);
        }
        Ok(events)
    }
}

/// Drives `run` to its end. After every step, `between(run, events)` is awaited with what that
/// step made known: it may show progress, wait (a pause), or stop the run.
pub async fn drive<F, Fut>(
    run: &mut Run,
    now: impl Fn() -> f64,
    mut between: F,
) -> Result<Ending, TrainError>
where
    F: FnMut(&Run, Vec<Event>) -> Fut,
    Fut: Future<Output = Control>,
{
    while !run.is_done() {
        let events = run.advance(&now).await?;
        if between(run, events).await == Control::Stop {
            return Ok(Ending::Stopped);
        }
    }
    Ok(Ending::Finished)
}
