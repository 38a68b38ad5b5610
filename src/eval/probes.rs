//! Classifiers on frozen representations, in plain Rust: the offline linear probe and kNN.

use super::kmeans::unit_rows;

/// Features standardised with the training split's mean and spread.
fn standardise(train: &[f32], test: &[f32], dim: usize) -> (Vec<f32>, Vec<f32>) {
    let n = (train.len() / dim).max(1);
    let mut mean = vec![0.0f64; dim];
    let mut var = vec![0.0f64; dim];
    for row in train.chunks(dim) {
        row.iter()
            .zip(&mut mean)
            .for_each(|(v, m)| *m += *v as f64 / n as f64);
    }
    for row in train.chunks(dim) {
        row.iter()
            .zip(&mean)
            .zip(&mut var)
            .for_each(|((v, m), s)| *s += (*v as f64 - m).powi(2) / n as f64);
    }
    let scale: Vec<f64> = var.iter().map(|v| 1.0 / (v.sqrt() + 1e-6)).collect();
    let apply = |x: &[f32]| -> Vec<f32> {
        x.chunks(dim)
            .flat_map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(j, v)| ((*v as f64 - mean[j]) * scale[j]) as f32)
            })
            .collect()
    };
    (apply(train), apply(test))
}

/// Test accuracy of a multinomial logistic regression trained on `train` (full-batch Adam,
/// `epochs` steps, small L2), features standardised first.
pub fn linear_probe_accuracy(
    train: &[f32],
    train_labels: &[usize],
    test: &[f32],
    test_labels: &[usize],
    dim: usize,
    classes: usize,
    epochs: usize,
) -> f32 {
    if test_labels.is_empty() || train_labels.is_empty() {
        return 0.0;
    }
    let (train, test) = standardise(train, test, dim);
    let n = train_labels.len();
    let width = dim + 1;
    let mut w = vec![0.0f32; classes * width];
    let (mut m1, mut m2) = (vec![0.0f32; w.len()], vec![0.0f32; w.len()]);
    let (lr, beta1, beta2, l2) = (0.05f32, 0.9f32, 0.999f32, 1e-4f32);
    let mut probs = vec![0.0f32; classes];
    for t in 1..=epochs {
        let mut grad = vec![0.0f32; w.len()];
        for (i, row) in train.chunks(dim).enumerate() {
            logits(&w, row, &mut probs);
            softmax(&mut probs);
            for (k, p) in probs.iter().enumerate() {
                let g = p - f32::from(train_labels[i] == k);
                let gk = &mut grad[k * width..(k + 1) * width];
                gk[..dim].iter_mut().zip(row).for_each(|(a, x)| *a += g * x);
                gk[dim] += g;
            }
        }
        let (c1, c2) = (1.0 - beta1.powi(t as i32), 1.0 - beta2.powi(t as i32));
        for j in 0..w.len() {
            let g = grad[j] / n as f32 + l2 * w[j];
            m1[j] = beta1 * m1[j] + (1.0 - beta1) * g;
            m2[j] = beta2 * m2[j] + (1.0 - beta2) * g * g;
            w[j] -= lr * (m1[j] / c1) / ((m2[j] / c2).sqrt() + 1e-8);
        }
    }
    let correct = test
        .chunks(dim)
        .zip(test_labels)
        .filter(|(row, label)| {
            logits(&w, row, &mut probs);
            argmax(&probs) == **label
        })
        .count();
    correct as f32 / test_labels.len() as f32
}

fn logits(w: &[f32], row: &[f32], out: &mut [f32]) {
    let width = row.len() + 1;
    for (k, o) in out.iter_mut().enumerate() {
        let wk = &w[k * width..(k + 1) * width];
        *o = wk[row.len()] + wk.iter().zip(row).map(|(a, b)| a * b).sum::<f32>();
    }
}

fn softmax(x: &mut [f32]) {
    let max = x.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    x.iter_mut().for_each(|v| *v /= sum);
}

pub fn argmax(x: &[f32]) -> usize {
    (0..x.len())
        .max_by(|&a, &b| x[a].total_cmp(&x[b]).then(b.cmp(&a)))
        .unwrap_or(0)
}

/// Accuracy of a `k`-nearest-neighbour vote (cosine similarity, ties to the nearest) of each
/// test row among the training rows.
pub fn knn_accuracy(
    train: &[f32],
    train_labels: &[usize],
    test: &[f32],
    test_labels: &[usize],
    dim: usize,
    classes: usize,
    k: usize,
) -> f32 {
    if test_labels.is_empty() || train_labels.is_empty() {
        return 0.0;
    }
    let (train, test) = (unit_rows(train, dim), unit_rows(test, dim));
    let k = k.clamp(1, train_labels.len());
    let mut sims: Vec<(f32, usize)> = Vec::with_capacity(train_labels.len());
    let correct = test
        .chunks(dim)
        .zip(test_labels)
        .filter(|(row, label)| {
            sims.clear();
            sims.extend(
                train
                    .chunks(dim)
                    .enumerate()
                    .map(|(i, t)| (t.iter().zip(*row).map(|(a, b)| a * b).sum(), i)),
            );
            sims.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
            let mut votes = vec![0.0f32; classes];
            for &(s, i) in &sims[..k] {
                votes[train_labels[i]] += 1.0 + 1e-3 * s; // the similarity breaks ties
            }
            argmax(&votes) == **label
        })
        .count();
    correct as f32 / test_labels.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// Gaussian blobs, one per class: both classifiers must be far above chance.
    fn blobs(
        n: usize,
        classes: usize,
        dim: usize,
        seed: u64,
        split: u64,
    ) -> (Vec<f32>, Vec<usize>) {
        let mut centre_rng = stream(seed, "blobs", 0);
        let centres: Vec<f32> = (0..classes * dim)
            .map(|_| centre_rng.normal() * 3.0)
            .collect();
        let mut rng = stream(seed, "blobs", 1 + split);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let c = i % classes;
            x.extend((0..dim).map(|j| centres[c * dim + j] + rng.normal()));
            y.push(c);
        }
        (x, y)
    }

    #[test]
    fn probes_separate_an_easy_case_far_above_chance() {
        let (tr, ytr) = blobs(300, 5, 8, 1, 0);
        let (te, yte) = blobs(100, 5, 8, 1, 1); // same centres, fresh points
        let lin = linear_probe_accuracy(&tr, &ytr, &te, &yte, 8, 5, 100);
        let knn = knn_accuracy(&tr, &ytr, &te, &yte, 8, 5, 5);
        assert!(
            lin > 0.9 && knn > 0.9,
            "linear {lin}, knn {knn} (chance 0.2)"
        );
    }

    #[test]
    fn probes_are_at_chance_on_random_labels() {
        let (tr, _) = blobs(400, 4, 8, 2, 0);
        let mut rng = stream(3, "labels", 0);
        let ytr: Vec<usize> = (0..400).map(|_| rng.below(4)).collect();
        let (te, _) = blobs(400, 4, 8, 2, 1);
        let yte: Vec<usize> = (0..400).map(|_| rng.below(4)).collect();
        let lin = linear_probe_accuracy(&tr, &ytr, &te, &yte, 8, 4, 100);
        assert!(lin < 0.4, "linear {lin} should be near chance 0.25");
    }
}
