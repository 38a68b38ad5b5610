//! The hand-written training loop: contrastive loss on the encoder + head, and one online
//! linear probe per competing feature on the stop-gradient representation, in one backward.
//!
//! It never prints and never reads a tensor synchronously: `step` only queues device work;
//! `read_metrics` is `async` and reads once per read step, so the same code runs natively
//! (driven by `block_on`) and in a browser worker on WebGPU. Batch assembly is in `batch.rs`,
//! checkpoint evaluation in `evaluate.rs`.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

use super::backend::BackendKind;
use super::batch::{Batches, StepInput};
use super::config::{EncoderConfig, HeadConfig, LossConfig};
use super::control_heads::ControlHead;
use super::kernels::adam::FusedAdam;
use super::kernels::linear::forward as dense_forward;
use super::loss::{LossParts, SwdDraw, contrastive_loss, diagnostics};
use super::model::{Model, Probes};
use crate::data::Dataset;
use crate::data::augment::Augment;
use crate::par::alongside;
use crate::params::{ExperimentConfig, LrSchedule, OptimizerKind, ReconWeights};
use crate::record::{StepMetrics, Throughput};
use crate::rng::stream;

/// Why training stopped early.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TrainError {
    /// The loss became NaN or infinite at this step (1-based).
    NonFinite { step: usize },
    /// The device failed (lost, out of memory, a failed read).
    Device(String),
    /// The config cannot train on this dataset.
    Config(String),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFinite { step } => write!(
                f,
                "the loss became NaN/infinite at step {step}; training stopped (try a lower learning rate or a higher temperature)"
            ),
            TrainError::Device(e) => write!(f, "device error: {e}"),
            TrainError::Config(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for TrainError {}

/// The metrics a read step queues as one tensor (one device read): named slots, then one
/// online-probe accuracy per feature. Packing and unpacking live here together.
struct Packed;

impl Packed {
    const LOSS: usize = 0;
    const ALIGNMENT: usize = 1;
    const DISTRIBUTION: usize = 2;
    const PROBE_LOSS: usize = 3;
    /// The first step whose loss was not finite, or [`NO_BAD_STEP`].
    const FIRST_BAD: usize = 4;
    /// [`diagnostics`]' three values: contrastive accuracy, alignment, uniformity.
    const DIAGNOSTICS: usize = 5;
    const PROBES: usize = 8;

    fn pack(
        parts: &LossParts,
        probe_loss: Tensor<1>,
        first_bad: Tensor<1>,
        diagnostics: Tensor<1>,
        probe_acc: Vec<Tensor<1>>,
    ) -> Tensor<1> {
        let mut values = vec![
            parts.total.clone().detach(),
            parts.alignment.clone().detach(),
            parts.distribution.clone().detach(),
            probe_loss.detach(),
            first_bad,
            diagnostics,
        ];
        values.extend(probe_acc);
        Tensor::cat(values, 0) // [PROBES + features]
    }

    fn unpack(values: &[f32], step: usize) -> Result<StepMetrics, TrainError> {
        if values.len() < Self::PROBES {
            return Err(TrainError::Device(format!(
                "read {} metric values, expected at least {}",
                values.len(),
                Self::PROBES
            )));
        }
        let first_bad = values[Self::FIRST_BAD];
        if first_bad < NO_BAD_STEP {
            return Err(TrainError::NonFinite {
                step: first_bad as usize,
            });
        }
        let d = Self::DIAGNOSTICS;
        Ok(StepMetrics {
            step,
            loss: values[Self::LOSS],
            alignment: values[Self::ALIGNMENT],
            distribution: values[Self::DISTRIBUTION],
            probe_loss: values[Self::PROBE_LOSS],
            contrastive_acc: values[d],
            align_metric: values[d + 1],
            uniformity: values[d + 2],
            probe_train_acc: values[Self::PROBES..].to_vec(),
        })
    }
}

/// What `first_bad` holds while every loss so far was finite.
const NO_BAD_STEP: f32 = 1e9;

pub struct Trainer {
    pub config: ExperimentConfig,
    pub dataset: Arc<Dataset>,
    pub backend: BackendKind,
    /// The autodiff device.
    pub(super) device: Device,
    /// What the encoder is and sees, built once from the config and the dataset.
    pub(super) encoder: EncoderConfig,
    pub(super) model: Model,
    pub(super) probes: Probes,
    loss: LossConfig,
    opt_model: ModuleOptimizer,
    opt_probes: ModuleOptimizer,
    pub(super) augment: Augment,
    batches: Batches,
    /// Steps done.
    pub(super) step: usize,
    /// The metrics tensor of the last read-due step, queued on the device until read.
    pending: Option<Tensor<1>>,
    /// Device-side minimum step whose loss was not finite (or [`NO_BAD_STEP`]).
    first_bad: Tensor<1>,
    last_read: Option<(usize, f64)>,
}

impl Trainer {
    /// A fresh model for `config` on `device` (plain or autodiff; autodiff is added).
    pub fn new(
        config: &ExperimentConfig,
        dataset: Arc<Dataset>,
        backend: BackendKind,
        device: &Device,
    ) -> Result<Self, TrainError> {
        if dataset.train.len() < 2 || dataset.test.is_empty() {
            return Err(TrainError::Config(
                "the dataset needs at least 2 training and 1 test image".into(),
            ));
        }
        let device = device.clone().autodiff();
        let encoder = EncoderConfig::new(
            config,
            dataset.input_channels(),
            dataset.height,
            dataset.width,
        );
        let rep = encoder.representation_dim();
        let mut model = Model::from_configs(&encoder, &HeadConfig::new(config, rep), &device);
        let first_feature_classes = dataset.features.first().map_or(1, |f| f.classes());
        model.control =
            ControlHead::for_objective(config.objective, &encoder, first_feature_classes, &device);
        let classes: Vec<usize> = dataset.features.iter().map(|f| f.classes()).collect();
        let probes = Probes::new(config.seed, rep, &classes, &device);
        let batches = Batches::new(
            Arc::clone(&dataset),
            Augment::from_config(config),
            config.seed,
            model.encoder.layout(),
            config.batch.min(dataset.train.len()),
        );
        let first_bad = Tensor::<1>::from_data(TensorData::new(vec![NO_BAD_STEP], [1]), &device);
        Ok(Self {
            config: config.clone(),
            augment: Augment::from_config(config),
            loss: LossConfig::from(config),
            backend,
            encoder,
            model,
            probes,
            opt_model: model_optimizer(config),
            opt_probes: FusedAdam::new(None).into(),
            batches,
            step: 0,
            pending: None,
            first_bad,
            last_read: None,
            dataset,
            device,
        })
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    pub fn finished(&self) -> bool {
        self.step >= self.config.steps
    }

    /// Whether the step just done is one whose metrics are read.
    pub fn read_due(&self) -> bool {
        self.step > 0 && (self.step.is_multiple_of(self.config.eval_every) || self.finished())
    }

    /// Whether a full evaluation is due after the step just done (and at step 0).
    pub fn evaluation_due(&self) -> bool {
        let every = self
            .config
            .steps
            .div_ceil(self.config.checkpoints.max(1))
            .max(1);
        self.step == 0 || self.step.is_multiple_of(every) || self.finished()
    }

    /// One optimisation step. Queues device work only; reads nothing.
    ///
    /// The next step's batch is assembled meanwhile on another core where the calling thread
    /// is one of the pool's ([`alongside`]): the augmentation is off the step's critical path.
    /// Its draws depend on its step only, so the numbers are those of assembling it later. The
    /// step itself stays on the calling thread: burn keeps BatchNorm's running statistics per
    /// thread and averages them over the threads that updated them.
    pub fn step(&mut self) {
        crate::par::hot(|| {
            let input = self.batches.take(self.step);
            let next = self.step + 1;
            if next >= self.config.steps {
                return self.compute_step(input);
            }
            let planned = self.batches.plan(next);
            let ((), ahead) = alongside(|| self.compute_step(input), || planned.make());
            self.batches.keep(ahead);
        });
    }

    /// The step on a batch already assembled.
    fn compute_step(&mut self, StepInput { indices, data }: StepInput) {
        let layout = self.model.encoder.layout();
        let x = Tensor::<4>::from_data(data, &self.device); // [C, H, W, 2n] or [2n, C, H, W]
        let h = self.model.encoder.forward_in_layout(x.clone()); // [2n, rep]
        let x = layout.to_channels_first(x); // [2n, C, H, W]
        let (parts, views) = self.objective_loss(&h, x, &indices);
        let (probe_loss, probe_acc) = self.online_probes(h, &indices);

        self.step += 1;
        let total = parts.total.clone() + probe_loss.clone();
        self.track_non_finite(&parts.total);
        if self.read_due() {
            let (z1, z2) = views;
            self.pending = Some(Packed::pack(
                &parts,
                probe_loss,
                self.first_bad.clone(),
                diagnostics(z1.detach(), z2.detach()),
                probe_acc,
            ));
        }
        self.apply_gradients(total, self.learning_rate(self.step - 1));
    }

    /// The objective's loss on the representation `h` of both views of `x`, and the two views'
    /// halves its diagnostics are measured on (the projection, or for the control objectives,
    /// which have none, the representation).
    ///
    /// # Shapes
    /// `h: [2n, rep]`, `x: [2n, C, H, W]` → (loss parts, `[n, d]` per view)
    fn objective_loss(
        &self,
        h: &Tensor<2>,
        x: Tensor<4>,
        indices: &[usize],
    ) -> (LossParts, (Tensor<2>, Tensor<2>)) {
        let n = indices.len();
        let device = &self.device;
        match &self.model.control {
            None => {
                let z = self.model.head.forward(h.clone()); // [2n, out]
                let (z1, z2) = (z.clone().narrow(0, 0, n), z.narrow(0, n, n)); // [n, out] each
                let swd = self.loss.is_swd().then(|| {
                    SwdDraw::new(
                        self.loss.kind,
                        2 * n,
                        z1.dims()[1],
                        &mut stream(self.config.seed, "swd", self.step as u64),
                    )
                });
                let parts = contrastive_loss(
                    &self.loss,
                    z1.clone(),
                    z2.clone(),
                    swd.as_ref(),
                    self.backend.has_device_sort(),
                );
                (parts, (z1, z2))
            }
            Some(ControlHead::Classifier(classifier)) => {
                // Supervised: both views labelled with the first feature.
                let labels: Vec<i64> = indices
                    .iter()
                    .chain(indices)
                    .map(|&i| self.dataset.train[i].labels[0] as i64)
                    .collect();
                let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [2 * n]), device); // [2n]
                let logits = dense_forward(classifier, h.clone()); // [2n, classes]
                let loss = CrossEntropyLossConfig::new()
                    .init(device)
                    .forward(logits, y);
                (LossParts::single(loss), split_views(h, n))
            }
            Some(ControlHead::Decoder(decoder)) => {
                // Autoencoder: each view reconstructs itself.
                let squared = (decoder.forward(h.clone()) - x).square(); // [2n, C + B, H, W]
                let loss = reconstruction_loss(
                    squared,
                    self.dataset.channels,
                    self.dataset.bits,
                    self.config.recon,
                );
                (LossParts::single(loss), split_views(h, n))
            }
        }
    }

    /// The online probes' summed loss and their accuracies, on the stop-gradient
    /// representation of the first view.
    ///
    /// # Shapes
    /// `h: [2n, rep]` → (`[1]`, `[1]` per feature)
    fn online_probes(&self, h: Tensor<2>, indices: &[usize]) -> (Tensor<1>, Vec<Tensor<1>>) {
        let n = indices.len();
        let device = &self.device;
        let h1 = h.narrow(0, 0, n).detach(); // [n, rep]
        let ce = CrossEntropyLossConfig::new().init(device);
        let mut probe_loss = Tensor::<1>::zeros([1], device);
        let mut probe_acc = Vec::new();
        for (f, head) in self.probes.heads.iter().enumerate() {
            let labels: Vec<i64> = indices
                .iter()
                .map(|&i| self.dataset.train[i].labels[f] as i64)
                .collect();
            let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [n]), device); // [n]
            let logits = dense_forward(head, h1.clone()); // [n, classes_f]
            probe_acc.push(
                logits
                    .clone()
                    .detach()
                    .argmax(1)
                    .reshape([n])
                    .equal(y.clone())
                    .float()
                    .mean(), // [1]
            );
            probe_loss = probe_loss + ce.forward(logits, y);
        }
        (probe_loss, probe_acc)
    }

    /// Records the step just done in `first_bad` (on the device) if its loss is not finite.
    fn track_non_finite(&mut self, loss: &Tensor<1>) {
        let finite = loss.clone().detach().is_finite().float(); // [1]
        let bad = finite.clone().mul_scalar(NO_BAD_STEP)
            + finite.neg().add_scalar(1.0).mul_scalar(self.step as f32);
        self.first_bad = self.first_bad.clone().min_pair(bad);
    }

    /// One backward through `total`, then an optimiser step for the model (at `lr`) and for the
    /// probes.
    fn apply_gradients(&mut self, total: Tensor<1>, lr: f64) {
        let mut grads = total.backward();
        let model_grads = GradientsParams::from_module(&mut grads, &self.model);
        let probe_grads = GradientsParams::from_module(&mut grads, &self.probes);
        // Modules are handles to shared tensors: cloning is cheap and the optimizer returns new ones.
        self.model = self.opt_model.step(lr, self.model.clone(), model_grads);
        self.probes = self.opt_probes.step(
            self.config.probe_lr as f64,
            self.probes.clone(),
            probe_grads,
        );
    }

    /// The encoder's learning rate at (0-based) step `step` under the configured schedule.
    pub fn learning_rate(&self, step: usize) -> f64 {
        let lr = self.config.lr as f64;
        let t = step as f64 / self.config.steps.max(1) as f64;
        match self.config.lr_schedule {
            LrSchedule::Constant => lr,
            LrSchedule::Linear => lr * (1.0 - t),
            LrSchedule::Cosine => lr * 0.5 * (1.0 + (std::f64::consts::PI * t).cos()),
        }
    }

    /// Reads the metrics queued by the last read-due step (one device read). `now` is the
    /// caller's clock in seconds, for throughput.
    pub async fn read_metrics(
        &mut self,
        now: f64,
    ) -> Result<Option<(StepMetrics, Option<Throughput>)>, TrainError> {
        let Some(pending) = self.pending.take() else {
            return Ok(None);
        };
        let metrics = Packed::unpack(&read_vec(pending).await?, self.step)?;
        let throughput = self.last_read.map(|(step, time)| {
            let dt = (now - time).max(1e-9);
            let steps = (self.step - step) as f64;
            Throughput {
                step: self.step,
                steps_per_s: (steps / dt) as f32,
                images_per_s: (steps * 2.0 * self.batches.size as f64 / dt) as f32,
            }
        });
        self.last_read = Some((self.step, now));
        Ok(Some((metrics, throughput)))
    }

    /// Waits until every queued step has run on the device (one tiny read), for benchmarks.
    pub async fn wait_for_device(&mut self) -> Result<(), TrainError> {
        read_vec(self.first_bad.clone()).await.map(|_| ())
    }

    /// Sets the throughput clock's start (call right before the first step).
    pub fn start_clock(&mut self, now: f64) {
        self.last_read = Some((self.step, now));
    }

    /// Number of trainable parameters of encoder + head.
    pub fn num_params(&self) -> usize {
        self.model.num_params()
    }
}

/// The encoder's and head's optimiser.
fn model_optimizer(config: &ExperimentConfig) -> ModuleOptimizer {
    let decay = (config.weight_decay > 0.0).then(|| WeightDecayConfig::new(config.weight_decay));
    match config.optimizer {
        OptimizerKind::Adam => FusedAdam::new(decay.map(|d| d.penalty)).into(),
        OptimizerKind::Sgd => SgdConfig::new()
            .with_weight_decay(decay)
            .with_momentum(Some(
                MomentumConfig::new()
                    .with_momentum(config.momentum as f64)
                    .with_dampening(0.0),
            ))
            .init(),
    }
}

/// The autoencoder's loss from its squared errors (docs/science.md, "RandBit: autoencoder
/// control"). Balanced: the image's channels and RandBit's bit planes each weigh half, so
/// however many bits there are, the image counts as much as all of them together (with no
/// bits, the mean over the image). Every value: the plain mean, where `B` bit planes outweigh
/// `C` image channels `B : C`.
///
/// # Shapes
/// `squared: [2n, C + B, H, W]` → `[1]`
pub fn reconstruction_loss(
    squared: Tensor<4>,
    channels: usize,
    bits: usize,
    weights: ReconWeights,
) -> Tensor<1> {
    if bits == 0 || weights == ReconWeights::EveryValue {
        return squared.mean();
    }
    let image = squared.clone().narrow(1, 0, channels).mean(); // [1]
    let planes = squared.narrow(1, channels, bits).mean(); // [1]
    (image + planes).mul_scalar(0.5)
}

/// The two views' halves of a `[2n, d]` batch, for the diagnostics of the control objectives
/// (which have no projection: they are measured on the representation).
fn split_views(h: &Tensor<2>, n: usize) -> (Tensor<2>, Tensor<2>) {
    (h.clone().narrow(0, 0, n), h.clone().narrow(0, n, n))
}

/// The one way tensors are read: asynchronously, as `f32`.
pub(super) async fn read_vec(t: Tensor<1>) -> Result<Vec<f32>, TrainError> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| TrainError::Device(format!("{e:?}")))?;
    data.try_into_vec_as::<f32>()
        .map_err(|e| TrainError::Device(format!("{e:?}")))
}
