//! Checkpoint evaluation of a [`Trainer`]'s encoder: online, offline and kNN probes on the test
//! split, the similarity matrix of two views, the embedding, and local features (K-means on
//! each block's feature maps against the true masks).

use burn::prelude::*;

use super::batch::batch_tensor;
use super::kernels::linear::forward as dense_forward;
use super::loss::l2_normalize;
use super::train::{TrainError, Trainer, read_vec};
use crate::data::{ProbeSplit, Sample};
use crate::eval::kmeans::{foreground_ari, kmeans, unit_rows};
use crate::eval::pca::pca_2d;
use crate::eval::probes::{argmax, knn_accuracy, linear_probe_accuracy};
use crate::params::{ExperimentConfig, KmeansMetric};
use crate::record::{Evaluation, LocalFeatures, ProbeResult};
use crate::rng::stream;

/// Test images the local features are scored on.
const LOCAL_IMAGES: usize = 100;
/// Of those, the images whose cluster maps are kept for the picture.
const LOCAL_SHOWN: usize = 12;
/// Training images whose representations the offline probe and kNN are fitted on.
const EVAL_TRAIN: usize = 2000;
const EVAL_CHUNK: usize = 250;
const OFFLINE_EPOCHS: usize = 100;
/// Test points in the embedding view.
const EMBEDDING_POINTS: usize = 500;
/// Test images (two views each) in the similarity heatmap.
pub const SIMILARITY_IMAGES: usize = 16;

impl Trainer {
    /// Representations (and online-probe logits) of `samples[indices]` with the encoder in
    /// evaluation mode, read in chunks.
    async fn represent(
        &self,
        samples: &[Sample],
        indices: &[usize],
    ) -> Result<(Vec<f32>, Vec<Vec<f32>>), TrainError> {
        let device = self.device.clone().inner();
        let encoder = self.model.encoder.valid();
        let probes = self.probes.valid();
        let ds = &self.dataset;
        let mut reps = Vec::new();
        let mut logits = vec![Vec::new(); probes.heads.len()];
        for chunk in indices.chunks(EVAL_CHUNK) {
            let x = batch_tensor(ds.plain(samples, chunk), &device);
            let h = encoder.forward(x); // [chunk, rep]
            let mut parts = vec![h.clone().reshape([-1])];
            parts.extend(
                probes
                    .heads
                    .iter()
                    .map(|head| dense_forward(head, h.clone()).reshape([-1])),
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

    /// Full checkpoint evaluation: online, offline and kNN probes on the test split (held-out
    /// images for the features probed there), and the local-feature K-means against the true
    /// masks.
    pub async fn evaluate(&self) -> Result<Evaluation, TrainError> {
        let ds = &self.dataset;
        let dim = self.encoder.representation_dim();
        let train_idx: Vec<usize> = (0..ds.train.len().min(EVAL_TRAIN)).collect();
        let test_idx: Vec<usize> = (0..ds.test.len()).collect();
        let (train_h, _) = self.represent(&ds.train, &train_idx).await?;
        let (test_h, test_logits) = self.represent(&ds.test, &test_idx).await?;
        let probes_held_out = ds.features.iter().any(|f| f.split == ProbeSplit::HeldOut);
        let held_out_reps = match (&ds.heldout, probes_held_out) {
            (Some((fit, test)), true) => {
                let all = |s: &[Sample]| (0..s.len()).collect::<Vec<_>>();
                let (fit_h, _) = self.represent(fit, &all(fit)).await?;
                let (test_h, test_logits) = self.represent(test, &all(test)).await?;
                Some(((fit, fit_h), (test, test_h, test_logits)))
            }
            _ => None,
        };
        let mut probes = Vec::new();
        for (f, feature) in ds.features.iter().enumerate() {
            let classes = feature.classes();
            // The images this feature is probed on: the splits, or the held-out images.
            let (fit, fit_h, test, test_h, logits) = match (&held_out_reps, feature.split) {
                (Some(((fit, fit_h), (test, test_h, logits))), ProbeSplit::HeldOut) => {
                    (&fit[..], fit_h, &test[..], test_h, &logits[f])
                }
                _ => (
                    &ds.train[..train_idx.len()],
                    &train_h,
                    &ds.test[..],
                    &test_h,
                    &test_logits[f],
                ),
            };
            let ytr: Vec<usize> = fit.iter().map(|s| s.labels[f]).collect();
            let yte: Vec<usize> = test.iter().map(|s| s.labels[f]).collect();
            let online = logits
                .chunks(classes)
                .zip(&yte)
                .filter(|(l, y)| argmax(l) == **y)
                .count();
            let mut counts = vec![0usize; classes];
            yte.iter().for_each(|&y| counts[y] += 1);
            probes.push(ProbeResult {
                feature: feature.name.clone(),
                online_test_acc: online as f32 / yte.len().max(1) as f32,
                offline_test_acc: linear_probe_accuracy(
                    fit_h,
                    &ytr,
                    test_h,
                    &yte,
                    dim,
                    classes,
                    OFFLINE_EPOCHS,
                ),
                knn_acc: knn_accuracy(fit_h, &ytr, test_h, &yte, dim, classes, self.config.knn_k),
                chance: *counts.iter().max().unwrap_or(&0) as f32 / yte.len().max(1) as f32,
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

    /// The first `n` test images as the encoder sees them (channels-first, flattened) and
    /// their representations (`[n, rep]`): what another implementation of the encoder checks
    /// itself against.
    pub async fn test_representations(
        &self,
        n: usize,
    ) -> Result<(crate::data::augment::Batch, Vec<f32>), TrainError> {
        let ds = &self.dataset;
        let idx: Vec<usize> = (0..ds.test.len().min(n)).collect();
        let (reps, _) = self.represent(&ds.test, &idx).await?;
        Ok((ds.plain(&ds.test, &idx), reps))
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
        let x = Tensor::cat(vec![batch_tensor(a, &device), batch_tensor(b, &device)], 0); // [2k, C, H, W]
        let model = self.model.valid();
        let z = l2_normalize(model.head.forward(model.encoder.forward(x))); // [2k, out]
        read_vec(z.clone().matmul(z.transpose()).reshape([-1])).await // [2k * 2k]
    }

    /// K-means on each block's feature map of the first masked test images, one image at a
    /// time (each position a point), scored by the foreground ARI against the true masks (and
    /// the parts, where there are any); and the same K-means on the raw pixels average-pooled
    /// to the block's resolution, the baseline a block must beat.
    async fn local_features(&self) -> Result<(Vec<LocalFeatures>, Vec<usize>), TrainError> {
        let ds = &self.dataset;
        let mut images: Vec<usize> = (0..ds.test.len())
            .filter(|&i| ds.test[i].mask.is_some())
            .take(LOCAL_IMAGES)
            .collect();
        if images.is_empty() {
            return Ok((Vec::new(), images));
        }
        let device = self.device.clone().inner();
        let mut values = Vec::new();
        let mut shapes = Vec::new();
        for chunk in images.chunks(EVAL_CHUNK) {
            let x = batch_tensor(ds.plain(&ds.test, chunk), &device);
            let (maps, _) = self.model.encoder.valid().forward_blocks(x, 3);
            shapes = maps.iter().map(|m| m.dims()).collect::<Vec<[usize; 4]>>();
            // Channels last, so each position is a contiguous point: [n, H, W, C], one read.
            let flat: Vec<Tensor<1>> = maps
                .into_iter()
                .map(|m| m.permute([0, 2, 3, 1]).reshape([-1]))
                .collect();
            values.push(read_vec(Tensor::cat(flat, 0)).await?);
        }
        let mut out = Vec::new();
        for (b, &[_, c, h, w]) in shapes.iter().enumerate() {
            let point = h * w * c;
            let mut scores = BlockScores::default();
            for (j, &img) in images.iter().enumerate() {
                let (chunk, k) = (j / EVAL_CHUNK, j % EVAL_CHUNK);
                // Within a chunk's read: every block's maps of the chunk, block by block.
                let n = images[chunk * EVAL_CHUNK..].len().min(EVAL_CHUNK);
                let offset: usize = shapes[..b].iter().map(|s| n * s[1] * s[2] * s[3]).sum();
                let points = &values[chunk][offset + k * point..offset + (k + 1) * point];
                let seed_at = (b * images.len() + j) as u64;
                let mut rng = stream(self.config.seed, "kmeans", seed_at);
                let grid = Grid {
                    h,
                    w,
                    height: ds.height,
                    width: ds.width,
                };
                let map = scores.add(&ds.test[img], points, c, grid, &self.config, &mut rng);
                if j < LOCAL_SHOWN {
                    scores.maps.push(map.iter().map(|&a| a as u8).collect());
                }
            }
            out.push(scores.finish(b + 1, h, w));
        }
        images.truncate(LOCAL_SHOWN);
        Ok((out, images))
    }
}

/// A block's feature-map grid and the image's.
#[derive(Clone, Copy)]
struct Grid {
    h: usize,
    w: usize,
    height: usize,
    width: usize,
}

/// One block's scores, summed over the images that can be scored.
#[derive(Default)]
struct BlockScores {
    maps: Vec<Vec<u8>>,
    ari: (f64, usize),
    ari_pixels: (f64, usize),
    ari_parts: (f64, usize),
}

/// How many clusters K-means makes for a grouping: the knob, or with 0 the true number of
/// groups in the image (background included).
fn clusters_for(knob: usize, truth: &[usize]) -> usize {
    if knob > 0 {
        return knob;
    }
    let mut ids = truth.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids.len().max(2)
}

impl BlockScores {
    /// Clusters one image's block features and scores them; returns the map against the
    /// objects (for the picture).
    fn add(
        &mut self,
        sample: &Sample,
        points: &[f32],
        c: usize,
        g: Grid,
        config: &ExperimentConfig,
        rng: &mut crate::rng::SeededRng,
    ) -> Vec<usize> {
        let up = |m: &[usize]| upsample(m, g.h, g.w, g.height, g.width);
        let ids = |m: &[u8]| m.iter().map(|&v| v as usize).collect::<Vec<_>>();
        let truth = ids(sample.mask.as_ref().expect("filtered"));
        let k = clusters_for(config.kmeans_k, &truth);
        let unit;
        let points = match config.kmeans_metric {
            KmeansMetric::Euclidean => points,
            KmeansMetric::Cosine => {
                unit = unit_rows(points, c);
                &unit[..]
            }
        };
        let map = kmeans(points, c, k, 30, rng);
        add_score(&mut self.ari, foreground_ari(&up(&map), &truth));
        let pooled = average_pool(&sample.image, g.h, g.w);
        let pixels = kmeans(&pooled, sample.image.channels, k, 30, rng);
        add_score(&mut self.ari_pixels, foreground_ari(&up(&pixels), &truth));
        if let Some(parts) = &sample.parts {
            let parts = ids(parts);
            let k_parts = clusters_for(config.kmeans_k, &parts);
            let fine = if k_parts == k {
                map.clone()
            } else {
                kmeans(points, c, k_parts, 30, rng)
            };
            add_score(&mut self.ari_parts, foreground_ari(&up(&fine), &parts));
        }
        map
    }

    fn finish(self, block: usize, h: usize, w: usize) -> LocalFeatures {
        let mean = |(sum, n): (f64, usize)| (sum / n.max(1) as f64) as f32;
        LocalFeatures {
            block,
            map_height: h,
            map_width: w,
            maps: self.maps,
            ari: mean(self.ari),
            ari_pixels: mean(self.ari_pixels),
            ari_parts: (self.ari_parts.1 > 0).then(|| mean(self.ari_parts)),
        }
    }
}

fn add_score(total: &mut (f64, usize), score: Option<f64>) {
    if let Some(s) = score {
        total.0 += s;
        total.1 += 1;
    }
}

/// Nearest upsampling of an `h × w` cluster map to the image grid.
fn upsample(map: &[usize], h: usize, w: usize, height: usize, width: usize) -> Vec<usize> {
    (0..height * width)
        .map(|p| map[(p / width) * h / height * w + (p % width) * w / width])
        .collect()
}

/// The image's pixels averaged over the cells of an `h × w` grid: `h·w` points of `channels`.
pub fn average_pool(image: &crate::data::image::Image, h: usize, w: usize) -> Vec<f32> {
    let (c, height, width) = (image.channels, image.height, image.width);
    let mut sums = vec![0.0f32; h * w * c];
    let mut counts = vec![0.0f32; h * w];
    for y in 0..height {
        for x in 0..width {
            let cell = (y * h / height) * w + x * w / width;
            counts[cell] += 1.0;
            for k in 0..c {
                sums[cell * c + k] += image.get(k, y, x) as f32 / 255.0;
            }
        }
    }
    for (cell, n) in counts.iter().enumerate() {
        for k in 0..c {
            sums[cell * c + k] /= n.max(1.0);
        }
    }
    sums
}
