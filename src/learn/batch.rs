//! Batch assembly: a training step's two augmented views laid out for the encoder, and
//! evaluation batches as tensors.

use burn::prelude::*;
use std::sync::Arc;

use super::conv::Layout;
use crate::data::Dataset;
use crate::data::augment::{Augment, Batch};
use crate::par::filled_by;
use crate::rng::stream;

/// A run's training batches: epochs of seeded shuffles of the training set, and the next step's
/// batch when it was assembled ahead (while the step before it ran).
pub(super) struct Batches {
    dataset: Arc<Dataset>,
    augment: Augment,
    seed: u64,
    layout: Layout,
    /// Images per batch.
    pub size: usize,
    order: Vec<usize>,
    cursor: usize,
    epoch: u64,
    ahead: Option<(usize, StepInput)>,
}

/// A batch to assemble, on any thread: its indices are already taken in the epoch order.
pub(super) struct Planned {
    dataset: Arc<Dataset>,
    indices: Vec<usize>,
    augment: Augment,
    seed: u64,
    step: usize,
    layout: Layout,
}

impl Planned {
    pub fn make(self) -> (usize, StepInput) {
        let input = StepInput::make(
            &self.dataset,
            self.indices,
            &self.augment,
            self.seed,
            self.step as u64,
            self.layout,
        );
        (self.step, input)
    }
}

impl Batches {
    pub fn new(
        dataset: Arc<Dataset>,
        augment: Augment,
        seed: u64,
        layout: Layout,
        size: usize,
    ) -> Self {
        Self {
            dataset,
            augment,
            seed,
            layout,
            size,
            order: Vec::new(),
            cursor: usize::MAX,
            epoch: 0,
            ahead: None,
        }
    }

    /// Step `step`'s batch (the next in the epoch order), to assemble now or alongside.
    pub fn plan(&mut self, step: usize) -> Planned {
        let n = self.dataset.train.len();
        if self.cursor.saturating_add(self.size) > n {
            self.order = (0..n).collect();
            stream(self.seed, "batches", self.epoch).shuffle(&mut self.order);
            self.epoch += 1;
            self.cursor = 0;
        }
        let indices = self.order[self.cursor..self.cursor + self.size].to_vec();
        self.cursor += self.size;
        Planned {
            dataset: Arc::clone(&self.dataset),
            indices,
            augment: self.augment,
            seed: self.seed,
            step,
            layout: self.layout,
        }
    }

    /// Keeps a batch assembled ahead for its step.
    pub fn keep(&mut self, (step, input): (usize, StepInput)) {
        self.ahead = Some((step, input));
    }

    /// Step `step`'s batch: the one assembled ahead for it, else the next, assembled now.
    pub fn take(&mut self, step: usize) -> StepInput {
        match self.ahead.take() {
            Some((ahead, input)) if ahead == step => input,
            _ => self.plan(step).make().1,
        }
    }
}

/// A step's batch: its training indices and both views, in the encoder's layout.
pub(super) struct StepInput {
    pub indices: Vec<usize>,
    /// `[C, H, W, 2n]` (batch-last) or `[2n, C, H, W]`: every first view, then every second.
    pub data: TensorData,
}

impl StepInput {
    /// The two augmented views of `indices` at `step` (the draws depend on nothing else).
    pub fn make(
        ds: &Dataset,
        indices: Vec<usize>,
        augment: &Augment,
        seed: u64,
        step: u64,
        layout: Layout,
    ) -> Self {
        let pairs = ds.view_pairs(&ds.train, &indices, augment, seed, step);
        let (c, h, w, n) = (ds.input_channels(), ds.height, ds.width, indices.len());
        let data = match layout {
            Layout::BatchLast => TensorData::new(batch_last(&pairs, c * h * w), [c, h, w, 2 * n]),
            Layout::ChannelsFirst => TensorData::new(
                (0..2)
                    .flat_map(|v| pairs.iter().flat_map(move |p| p[v].iter().copied()))
                    .collect::<Vec<f32>>(),
                [2 * n, c, h, w],
            ),
        };
        StepInput { indices, data }
    }
}

/// The views of `pairs` (every first view, then every second view; each `len` floats) as one
/// batch-last `[len, 2n]` matrix.
fn batch_last(pairs: &[[Vec<f32>; 2]], len: usize) -> Vec<f32> {
    let n = pairs.len();
    const ROWS: usize = 16;
    // A block of output rows per task, each reading a short run of every view; every entry of
    // the block is written.
    filled_by(len * 2 * n, ROWS * 2 * n, |block, rows| {
        let r0 = block * ROWS;
        let r1 = (r0 + ROWS).min(len);
        for (j, view) in (0..2)
            .flat_map(|v| pairs.iter().map(move |p| &p[v]))
            .enumerate()
        {
            for (r, &v) in (r0..r1).zip(&view[r0..r1]) {
                rows[(r - r0) * 2 * n + j] = v;
            }
        }
    })
}

/// A channels-first batch of images as a tensor on `device`.
///
/// # Shapes
/// `batch` → `[n, channels, height, width]`
pub(super) fn batch_tensor(batch: Batch, device: &Device) -> Tensor<4> {
    Tensor::from_data(
        TensorData::new(
            batch.data,
            [batch.n, batch.channels, batch.height, batch.width],
        ),
        device,
    )
}
