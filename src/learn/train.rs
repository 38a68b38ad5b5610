//! The hand-written training loop: contrastive loss on the encoder + head, and one online
//! linear probe per competing feature on the stop-gradient representation, in one backward.
//!
//! It never prints and never reads a tensor synchronously: `step` only queues device work;
//! `read_metrics` and `evaluate` are `async` and read once per checkpoint, so the same code
//! runs natively (driven by `block_on`) and in a browser worker on WebGPU.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

use super::backend::BackendKind;
use super::loss::{SwdDraw, contrastive_loss, diagnostics, l2_normalize};
use super::model::{Encoder, Head, Model, Probes};
use crate::data::Dataset;
use crate::data::augment::{Augment, Batch};
use crate::eval::kmeans::{adjusted_rand_index, kmeans};
use crate::eval::pca::pca_2d;
use crate::eval::probes::{argmax, knn_accuracy, linear_probe_accuracy};
use crate::params::{ExperimentConfig, LossKind, OptimizerKind};
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

/// Metrics of one step, read at a checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Cosine similarities of the projections of both augmented views of the first
    /// `SIMILARITY_IMAGES` test images (`[2k, 2k]`, row-major; view 1 of all, then view 2).
    pub similarity: Vec<f32>,
}

/// Test images used for the local-feature view.
const LOCAL_IMAGES: usize = 12;
/// Training images whose representations the offline probe and kNN are fitted on.
const EVAL_TRAIN: usize = 2000;
const EVAL_CHUNK: usize = 250;
const OFFLINE_EPOCHS: usize = 100;
/// Test points in the embedding view.
const EMBEDDING_POINTS: usize = 500;
/// Test images (two views each) in the similarity heatmap.
pub const SIMILARITY_IMAGES: usize = 16;

/// Layout of the metrics vector read at checkpoints.
const FIXED_METRICS: usize = 8;

pub struct Trainer {
    pub config: ExperimentConfig,
    pub dataset: Arc<Dataset>,
    pub backend: BackendKind,
    /// The autodiff device.
    device: Device,
    model: Model,
    probes: Probes,
    opt_model: ModuleOptimizer,
    opt_probes: ModuleOptimizer,
    augment: Augment,
    batch: usize,
    /// Steps done.
    step: usize,
    order: Vec<usize>,
    cursor: usize,
    epoch: u64,
    /// The metrics tensor of the last step, queued on the device until read.
    pending: Option<Tensor<1>>,
    /// Device-side minimum step whose loss was not finite (or a large number).
    first_bad: Tensor<1>,
    last_read: Option<(usize, f64)>,
}

const NO_BAD_STEP: f32 = 1e9;

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
        let model = Model::new(
            config,
            dataset.input_channels(),
            dataset.height,
            dataset.width,
            &device,
        );
        let classes: Vec<usize> = dataset.features.iter().map(|f| f.classes()).collect();
        let probes = Probes::new(
            config.seed,
            Encoder::representation_dim(config),
            &classes,
            &device,
        );
        let decay =
            (config.weight_decay > 0.0).then(|| WeightDecayConfig::new(config.weight_decay));
        let opt_model = match config.optimizer {
            OptimizerKind::Adam => AdamConfig::new().with_weight_decay(decay).init(),
            OptimizerKind::Sgd => SgdConfig::new()
                .with_weight_decay(decay)
                .with_momentum(Some(
                    MomentumConfig::new()
                        .with_momentum(config.momentum as f64)
                        .with_dampening(0.0),
                ))
                .init(),
        };
        let batch = config.batch.min(dataset.train.len());
        let first_bad = Tensor::<1>::from_data(TensorData::new(vec![NO_BAD_STEP], [1]), &device);
        Ok(Self {
            config: config.clone(),
            augment: Augment::from_config(config),
            backend,
            model,
            probes,
            opt_model,
            opt_probes: AdamConfig::new().init(),
            batch,
            step: 0,
            order: Vec::new(),
            cursor: usize::MAX,
            epoch: 0,
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

    /// The next batch of training indices: epochs of seeded shuffles.
    fn next_indices(&mut self) -> Vec<usize> {
        let n = self.dataset.train.len();
        if self.cursor.saturating_add(self.batch) > n {
            self.order = (0..n).collect();
            stream(self.config.seed, "batches", self.epoch).shuffle(&mut self.order);
            self.epoch += 1;
            self.cursor = 0;
        }
        let indices = self.order[self.cursor..self.cursor + self.batch].to_vec();
        self.cursor += self.batch;
        indices
    }

    fn tensor(&self, batch: Batch, device: &Device) -> Tensor<4> {
        Tensor::from_data(
            TensorData::new(
                batch.data,
                [batch.n, batch.channels, batch.height, batch.width],
            ),
            device,
        )
    }

    /// One optimisation step. Queues device work only; reads nothing.
    pub fn step(&mut self) {
        let indices = self.next_indices();
        let n = indices.len();
        let ds = Arc::clone(&self.dataset);
        let (a, b) = ds.two_views(
            &ds.train,
            &indices,
            &self.augment,
            self.config.seed,
            self.step as u64,
        );
        let device = self.device.clone();
        let x = Tensor::cat(vec![self.tensor(a, &device), self.tensor(b, &device)], 0); // [2n, C, H, W]
        let h = self.model.encoder.forward(x); // [2n, rep]
        let z = self.model.head.forward(h.clone()); // [2n, out]
        let z1 = z.clone().narrow(0, 0, n); // [n, out]
        let z2 = z.narrow(0, n, n); // [n, out]
        let swd = matches!(
            self.config.loss,
            LossKind::SwdSphere | LossKind::SwdCube | LossKind::SwdNormal
        )
        .then(|| {
            SwdDraw::new(
                self.config.loss,
                2 * n,
                z1.dims()[1],
                &mut stream(self.config.seed, "swd", self.step as u64),
            )
        });
        let parts = contrastive_loss(
            &self.config,
            z1.clone(),
            z2.clone(),
            swd.as_ref(),
            self.backend.has_device_sort(),
        );

        // Online probes on the stop-gradient representation of the first view.
        let h1 = h.narrow(0, 0, n).detach(); // [n, rep]
        let ce = CrossEntropyLossConfig::new().init(&device);
        let mut probe_loss = Tensor::<1>::zeros([1], &device);
        let mut probe_acc = Vec::new();
        for (f, head) in self.probes.heads.iter().enumerate() {
            let labels: Vec<i64> = indices
                .iter()
                .map(|&i| ds.train[i].labels[f] as i64)
                .collect();
            let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [n]), &device); // [n]
            let logits = head.forward(h1.clone()); // [n, classes_f]
            probe_acc.push(
                logits
                    .clone()
                    .detach()
                    .argmax(1)
                    .reshape([n])
                    .equal(y.clone())
                    .float()
                    .mean(),
            );
            probe_loss = probe_loss + ce.forward(logits, y);
        }

        self.step += 1;
        let total = parts.total.clone() + probe_loss.clone();
        let finite = parts.total.clone().detach().is_finite().float(); // [1]
        let bad = finite.clone().mul_scalar(NO_BAD_STEP)
            + finite.neg().add_scalar(1.0).mul_scalar(self.step as f32);
        self.first_bad = self.first_bad.clone().min_pair(bad);

        if self.read_due() {
            let mut values = vec![
                parts.total.detach(),
                parts.alignment.detach(),
                parts.distribution.detach(),
                probe_loss.detach(),
                self.first_bad.clone(),
                diagnostics(z1.detach(), z2.detach()),
            ];
            values.extend(probe_acc);
            self.pending = Some(Tensor::cat(values, 0));
        }

        let mut grads = total.backward();
        let model_grads = GradientsParams::from_module(&mut grads, &self.model);
        let probe_grads = GradientsParams::from_module(&mut grads, &self.probes);
        // Modules are handles to shared tensors: cloning is cheap and the optimizer returns new ones.
        self.model = self
            .opt_model
            .step(self.config.lr as f64, self.model.clone(), model_grads);
        self.probes = self.opt_probes.step(
            self.config.probe_lr as f64,
            self.probes.clone(),
            probe_grads,
        );
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
        let values: Vec<f32> = read_vec(pending).await?;
        let first_bad = values[4];
        if first_bad < NO_BAD_STEP {
            return Err(TrainError::NonFinite {
                step: first_bad as usize,
            });
        }
        let metrics = StepMetrics {
            step: self.step,
            loss: values[0],
            alignment: values[1],
            distribution: values[2],
            probe_loss: values[3],
            contrastive_acc: values[5],
            align_metric: values[6],
            uniformity: values[7],
            probe_train_acc: values[FIXED_METRICS..].to_vec(),
        };
        let throughput = self.last_read.map(|(step, time)| {
            let dt = (now - time).max(1e-9);
            let steps = (self.step - step) as f64;
            Throughput {
                step: self.step,
                steps_per_s: (steps / dt) as f32,
                images_per_s: (steps * 2.0 * self.batch as f64 / dt) as f32,
            }
        });
        self.last_read = Some((self.step, now));
        Ok(Some((metrics, throughput)))
    }

    /// Waits until every queued step has run on the device (one tiny read), for benchmarks.
    pub async fn wait_for_device(&mut self) -> Result<(), String> {
        read_vec(self.first_bad.clone())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Sets the throughput clock's start (call right before the first step).
    pub fn start_clock(&mut self, now: f64) {
        self.last_read = Some((self.step, now));
    }

    /// Representations (and online-probe logits) of `samples[indices]` with the encoder in
    /// evaluation mode, read in chunks.
    async fn represent(
        &self,
        train: bool,
        indices: &[usize],
    ) -> Result<(Vec<f32>, Vec<Vec<f32>>), TrainError> {
        let device = self.device.clone().inner();
        let encoder = self.model.encoder.valid();
        let probes = self.probes.valid();
        let ds = &self.dataset;
        let samples = if train { &ds.train } else { &ds.test };
        let mut reps = Vec::new();
        let mut logits = vec![Vec::new(); probes.heads.len()];
        for chunk in indices.chunks(EVAL_CHUNK) {
            let x = self.tensor(ds.plain(samples, chunk), &device);
            let h = encoder.forward(x); // [chunk, rep]
            let mut parts = vec![h.clone().reshape([-1])];
            parts.extend(
                probes
                    .heads
                    .iter()
                    .map(|head| head.forward(h.clone()).reshape([-1])),
            );
            let sizes: Vec<usize> = parts.iter().map(|p| p.dims()[0]).collect();
            let values = read_vec(Tensor::cat(parts, 0)).await?;
            let mut offset = 0;
            for (k, size) in sizes.iter().enumerate() {
                let slice = &values[offset..offset + size];
                if k == 0 {
                    reps.extend_from_slice(slice)
                } else {
                    logits[k - 1].extend_from_slice(slice)
                }
                offset += size;
            }
        }
        Ok((reps, logits))
    }

    /// Full checkpoint evaluation: online, offline and kNN probes on the test split, and the
    /// local-feature K-means against the true masks.
    pub async fn evaluate(&self) -> Result<Evaluation, TrainError> {
        let ds = &self.dataset;
        let dim = Encoder::representation_dim(&self.config);
        let train_idx: Vec<usize> = (0..ds.train.len().min(EVAL_TRAIN)).collect();
        let test_idx: Vec<usize> = (0..ds.test.len()).collect();
        let (train_h, _) = self.represent(true, &train_idx).await?;
        let (test_h, test_logits) = self.represent(false, &test_idx).await?;
        let mut probes = Vec::new();
        for (f, feature) in ds.features.iter().enumerate() {
            let classes = feature.classes();
            let ytr: Vec<usize> = train_idx.iter().map(|&i| ds.train[i].labels[f]).collect();
            let yte: Vec<usize> = test_idx.iter().map(|&i| ds.test[i].labels[f]).collect();
            let online = test_logits[f]
                .chunks(classes)
                .zip(&yte)
                .filter(|(l, y)| argmax(l) == **y)
                .count();
            let mut counts = vec![0usize; classes];
            yte.iter().for_each(|&y| counts[y] += 1);
            probes.push(ProbeResult {
                feature: feature.name.clone(),
                online_test_acc: online as f32 / yte.len() as f32,
                offline_test_acc: linear_probe_accuracy(
                    &train_h,
                    &ytr,
                    &test_h,
                    &yte,
                    dim,
                    classes,
                    OFFLINE_EPOCHS,
                ),
                knn_acc: knn_accuracy(
                    &train_h,
                    &ytr,
                    &test_h,
                    &yte,
                    dim,
                    classes,
                    self.config.knn_k,
                ),
                chance: *counts.iter().max().unwrap() as f32 / yte.len() as f32,
            });
        }
        let (local, local_images) = self.local_features().await?;
        let shown = test_idx.len().min(EMBEDDING_POINTS);
        let embedding = pca_2d(&test_h[..shown * dim], dim);
        let embedding_labels = test_idx[..shown]
            .iter()
            .map(|&i| ds.test[i].labels.clone())
            .collect();
        let similarity = self.similarity().await?;
        Ok(Evaluation {
            step: self.step,
            probes,
            local,
            local_images,
            embedding,
            embedding_labels,
            similarity,
        })
    }

    /// The similarity matrix of both views of a few test images, as the loss sees them.
    async fn similarity(&self) -> Result<Vec<f32>, TrainError> {
        let ds = &self.dataset;
        let k = ds.test.len().min(SIMILARITY_IMAGES);
        let idx: Vec<usize> = (0..k).collect();
        let device = self.device.clone().inner();
        let (a, b) = ds.two_views(
            &ds.test,
            &idx,
            &self.augment,
            self.config.seed,
            u64::MAX - self.step as u64,
        );
        let x = Tensor::cat(vec![self.tensor(a, &device), self.tensor(b, &device)], 0); // [2k, C, H, W]
        let model = self.model.valid();
        let z = l2_normalize(model.head.forward(model.encoder.forward(x))); // [2k, out]
        read_vec(z.clone().matmul(z.transpose()).reshape([-1])).await // [2k * 2k]
    }

    /// K-means over every position of each block's feature maps of a few masked test images.
    async fn local_features(&self) -> Result<(Vec<LocalFeatures>, Vec<usize>), TrainError> {
        let ds = &self.dataset;
        let images: Vec<usize> = (0..ds.test.len())
            .filter(|&i| ds.test[i].mask.is_some())
            .take(LOCAL_IMAGES)
            .collect();
        if images.is_empty() {
            return Ok((Vec::new(), images));
        }
        let device = self.device.clone().inner();
        let x = self.tensor(ds.plain(&ds.test, &images), &device);
        let (maps, _) = self.model.encoder.valid().forward_blocks(x, 3);
        let shapes: Vec<[usize; 4]> = maps.iter().map(|m| m.dims()).collect();
        // Channels last, so each position is a contiguous point: [n, H, W, C], one read.
        let flat: Vec<Tensor<1>> = maps
            .into_iter()
            .map(|m| m.permute([0, 2, 3, 1]).reshape([-1]))
            .collect();
        let values = read_vec(Tensor::cat(flat, 0)).await?;
        let mut offset = 0;
        let mut out = Vec::new();
        for (b, [n, c, h, w]) in shapes.into_iter().enumerate() {
            let points = &values[offset..offset + n * c * h * w];
            offset += n * c * h * w;
            let mut rng = stream(self.config.seed, "kmeans", b as u64);
            let assign = kmeans(points, c, self.config.kmeans_k, 30, &mut rng);
            let mut maps = Vec::new();
            let mut ari = 0.0;
            for (j, &img) in images.iter().enumerate() {
                let map: Vec<usize> = assign[j * h * w..(j + 1) * h * w].to_vec();
                let mask = ds.test[img].mask.as_ref().expect("filtered");
                // Nearest upsampling of the cluster map to the image grid.
                let up: Vec<usize> = (0..ds.height * ds.width)
                    .map(|p| {
                        map[(p / ds.width) * h / ds.height * w + (p % ds.width) * w / ds.width]
                    })
                    .collect();
                let truth: Vec<usize> = mask.iter().map(|&m| m as usize).collect();
                ari += adjusted_rand_index(&up, &truth);
                maps.push(map.iter().map(|&a| a as u8).collect());
            }
            out.push(LocalFeatures {
                block: b + 1,
                map_height: h,
                map_width: w,
                maps,
                ari: (ari / images.len() as f64) as f32,
            });
        }
        Ok((out, images))
    }

    /// Number of trainable parameters of encoder + head.
    pub fn num_params(&self) -> usize {
        self.model.num_params()
    }

    /// Output width of the head (for display).
    pub fn output_dim(&self) -> usize {
        Head::output_dim(&self.config, Encoder::representation_dim(&self.config))
    }
}

/// The one way tensors are read: asynchronously, as `f32`.
async fn read_vec(t: Tensor<1>) -> Result<Vec<f32>, TrainError> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| TrainError::Device(format!("{e:?}")))?;
    data.try_into_vec_as::<f32>()
        .map_err(|e| TrainError::Device(format!("{e:?}")))
}
