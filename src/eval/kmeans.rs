//! K-means (k-means++ initialisation, seeded) and the adjusted Rand index, for measuring
//! whether local features group pixels by object (docs/science.md, "Local features").

use crate::rng::SeededRng;

/// `points` (`n` rows of `dim` floats) with every row scaled to unit length, so that squared
/// distances between rows are `2 − 2·cos`: K-means on them clusters by direction, and dot
/// products between them are cosine similarities. An all-zero row stays zero.
pub fn unit_rows(points: &[f32], dim: usize) -> Vec<f32> {
    let mut out = points.to_vec();
    for row in out.chunks_exact_mut(dim.max(1)) {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        row.iter_mut().for_each(|v| *v /= norm);
    }
    out
}

/// Cluster assignments of `points` (`n` rows of `dim` floats) into `k` clusters after at most
/// `iterations` Lloyd steps. Deterministic for a given rng state.
pub fn kmeans(
    points: &[f32],
    dim: usize,
    k: usize,
    iterations: usize,
    rng: &mut SeededRng,
) -> Vec<usize> {
    let n = points.len() / dim;
    if n == 0 {
        return Vec::new();
    }
    let k = k.clamp(1, n);
    let row = |i: usize| &points[i * dim..(i + 1) * dim];
    let dist = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>();
    // k-means++: each next centre drawn with probability proportional to squared distance.
    let mut centres: Vec<f32> = row(rng.below(n)).to_vec();
    let mut nearest: Vec<f32> = (0..n).map(|i| dist(row(i), &centres[..dim])).collect();
    while centres.len() / dim < k {
        let total: f64 = nearest.iter().map(|&d| d as f64).sum();
        let pick = if total <= 0.0 {
            rng.below(n)
        } else {
            let mut target = rng.uniform() as f64 * total;
            let mut chosen = n - 1;
            for (i, &d) in nearest.iter().enumerate() {
                target -= d as f64;
                if target < 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        };
        centres.extend_from_slice(row(pick));
        let c = &centres[centres.len() - dim..];
        for (i, best) in nearest.iter_mut().enumerate() {
            *best = best.min(dist(row(i), c));
        }
    }
    let mut assign = vec![0usize; n];
    for _ in 0..iterations.max(1) {
        let mut changed = false;
        for (i, a) in assign.iter_mut().enumerate() {
            let best = (0..k)
                .min_by(|&x, &y| {
                    dist(row(i), &centres[x * dim..][..dim])
                        .total_cmp(&dist(row(i), &centres[y * dim..][..dim]))
                })
                .unwrap();
            changed |= *a != best;
            *a = best;
        }
        let mut sums = vec![0.0f64; k * dim];
        let mut counts = vec![0usize; k];
        for (i, &a) in assign.iter().enumerate() {
            counts[a] += 1;
            for (s, v) in sums[a * dim..][..dim].iter_mut().zip(row(i)) {
                *s += *v as f64;
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                for j in 0..dim {
                    centres[c * dim + j] = (sums[c * dim + j] / counts[c] as f64) as f32;
                }
            }
        }
        if !changed {
            break;
        }
    }
    assign
}

/// Sum of squared distances of points to their cluster mean: what K-means minimises.
pub fn inertia(points: &[f32], dim: usize, assign: &[usize]) -> f64 {
    let k = assign.iter().max().map_or(0, |m| m + 1);
    let mut sums = vec![0.0f64; k * dim];
    let mut counts = vec![0usize; k];
    for (i, &a) in assign.iter().enumerate() {
        counts[a] += 1;
        for j in 0..dim {
            sums[a * dim + j] += points[i * dim + j] as f64;
        }
    }
    assign
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            (0..dim)
                .map(|j| {
                    (points[i * dim + j] as f64 - sums[a * dim + j] / counts[a] as f64).powi(2)
                })
                .sum::<f64>()
        })
        .sum()
}

/// Adjusted Rand index of two labelings of the same items (1 = identical partitions, ≈ 0 =
/// chance agreement).
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    assert_eq!(a.len(), b.len());
    let n = a.len();
    if n < 2 {
        return 1.0;
    }
    let (ka, kb) = (a.iter().max().unwrap() + 1, b.iter().max().unwrap() + 1);
    let mut table = vec![0u64; ka * kb];
    for (&x, &y) in a.iter().zip(b) {
        table[x * kb + y] += 1;
    }
    let pairs = |c: u64| (c * c.saturating_sub(1)) as f64 / 2.0;
    let index: f64 = table.iter().map(|&c| pairs(c)).sum();
    let rows: f64 = (0..ka)
        .map(|i| pairs(table[i * kb..(i + 1) * kb].iter().sum()))
        .sum();
    let cols: f64 = (0..kb)
        .map(|j| pairs((0..ka).map(|i| table[i * kb + j]).sum()))
        .sum();
    let expected = rows * cols / pairs(n as u64);
    let max = (rows + cols) / 2.0;
    if (max - expected).abs() < 1e-12 {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// The adjusted Rand index over the foreground only, as object-discovery work reports it: the
/// items whose `truth` is not 0 (the background), scored against `truth`. `None` where the
/// foreground holds fewer than two groups (one object alone cannot be told from another).
pub fn foreground_ari(clusters: &[usize], truth: &[usize]) -> Option<f64> {
    assert_eq!(clusters.len(), truth.len());
    let (a, b): (Vec<usize>, Vec<usize>) = clusters
        .iter()
        .zip(truth)
        .filter(|(_, t)| **t != 0)
        .map(|(&c, &t)| (c, t))
        .unzip();
    let mut groups = b.clone();
    groups.sort_unstable();
    groups.dedup();
    (groups.len() >= 2).then(|| adjusted_rand_index(&a, &b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// Every assignment of n points to k clusters, for the brute-force optimum.
    fn all_assignments(n: usize, k: usize) -> Vec<Vec<usize>> {
        (0..k.pow(n as u32))
            .map(|mut code| {
                (0..n)
                    .map(|_| {
                        let c = code % k;
                        code /= k;
                        c
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn unit_rows_gives_cosine_distances() {
        let mut rng = stream(3, "unit-rows-test", 0);
        let dim = 5;
        let mut pts: Vec<f32> = (0..6 * dim).map(|_| rng.normal() * 3.0).collect();
        pts[2 * dim..3 * dim].fill(0.0);
        let unit = unit_rows(&pts, dim);
        let row = |v: &[f32], i: usize| v[i * dim..(i + 1) * dim].to_vec();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        for i in [0, 1, 3, 4, 5] {
            for j in [0, 1, 3, 4, 5] {
                let (a, b) = (row(&pts, i), row(&pts, j));
                let cos = dot(&a, &b) / (dot(&a, &a).sqrt() * dot(&b, &b).sqrt());
                let (ua, ub) = (row(&unit, i), row(&unit, j));
                let sq: f32 = ua.iter().zip(&ub).map(|(x, y)| (x - y) * (x - y)).sum();
                assert!((sq - (2.0 - 2.0 * cos)).abs() < 1e-5, "rows {i}, {j}");
            }
        }
        // A zero row is left as it is rather than divided by zero.
        assert!(row(&unit, 2).iter().all(|&v| v == 0.0));
        // Scaling a row does not move it: only its direction counts.
        let mut scaled = pts.clone();
        scaled[..dim].iter_mut().for_each(|v| *v *= 40.0);
        let moved = unit_rows(&scaled, dim);
        assert!(
            moved[..dim]
                .iter()
                .zip(&unit[..dim])
                .all(|(a, b)| (a - b).abs() < 1e-6)
        );
    }

    /// Two groups that differ in direction, each with lengths from 1 to 50: by distance
    /// K-means splits short from long, by direction it finds the groups.
    #[test]
    fn clustering_unit_rows_groups_by_direction_where_lengths_mislead() {
        let mut rng = stream(5, "unit-rows-kmeans", 0);
        let (mut pts, mut truth) = (Vec::new(), Vec::new());
        for i in 0..60 {
            let group = i % 2;
            let length = 1.0 + 49.0 * rng.uniform();
            let (a, b) = (1.0 + 0.1 * rng.normal(), 0.1 * rng.normal());
            let (x, y) = if group == 0 { (a, b) } else { (b, a) };
            pts.extend([x * length, y * length]);
            truth.push(group);
        }
        let by_distance = kmeans(&pts, 2, 2, 50, &mut stream(5, "k", 0));
        let by_direction = kmeans(&unit_rows(&pts, 2), 2, 2, 50, &mut stream(5, "k", 0));
        assert!(adjusted_rand_index(&by_direction, &truth) > 0.99);
        assert!(adjusted_rand_index(&by_distance, &truth) < 0.5);
    }

    #[test]
    fn kmeans_finds_the_brute_force_optimum_on_a_tiny_case() {
        for seed in 0..10 {
            let mut rng = stream(seed, "kmeans-test", 0);
            // Three loose blobs of 3 points in 2-D.
            let mut pts = Vec::new();
            for c in 0..3 {
                for _ in 0..3 {
                    pts.push(c as f32 * 4.0 + rng.normal() * 0.5);
                    pts.push((c % 2) as f32 * 3.0 + rng.normal() * 0.5);
                }
            }
            let best = all_assignments(9, 3)
                .into_iter()
                .filter(|a| (0..3).all(|c| a.contains(&c)))
                .map(|a| inertia(&pts, 2, &a))
                .fold(f64::INFINITY, f64::min);
            let got = kmeans(&pts, 2, 3, 50, &mut rng);
            assert!((inertia(&pts, 2, &got) - best).abs() < 1e-6, "seed {seed}");
        }
    }

    /// The adjusted Rand index from its definition: over every pair of items, how often the
    /// two labelings agree, against what their cluster sizes give by chance.
    fn naive_ari(a: &[usize], b: &[usize]) -> f64 {
        let n = a.len();
        let (mut both, mut in_a, mut in_b) = (0.0, 0.0, 0.0);
        for i in 0..n {
            for j in i + 1..n {
                let (sa, sb) = (a[i] == a[j], b[i] == b[j]);
                both += f64::from(u8::from(sa && sb));
                in_a += f64::from(u8::from(sa));
                in_b += f64::from(u8::from(sb));
            }
        }
        let pairs = (n * (n - 1) / 2) as f64;
        let expected = in_a * in_b / pairs;
        (both - expected) / ((in_a + in_b) / 2.0 - expected)
    }

    #[test]
    fn foreground_ari_matches_the_pair_definition_over_the_objects_pixels() {
        for seed in 0..20 {
            let mut rng = stream(seed, "fg-ari", 0);
            let truth: Vec<usize> = (0..60).map(|_| rng.below(4)).collect();
            let clusters: Vec<usize> = truth
                .iter()
                .map(|&t| if rng.bernoulli(0.7) { t } else { rng.below(5) })
                .collect();
            let (a, b): (Vec<usize>, Vec<usize>) = clusters
                .iter()
                .zip(&truth)
                .filter(|(_, t)| **t != 0)
                .map(|(&c, &t)| (c, t))
                .unzip();
            let ours = foreground_ari(&clusters, &truth).unwrap();
            assert!((ours - naive_ari(&a, &b)).abs() < 1e-9, "seed {seed}");
        }
        // The background does not count: clusters that split it, or merge it with an object,
        // change the whole-image ARI but not the foreground's.
        let truth = [0, 0, 0, 0, 1, 1, 2, 2];
        let split_background = [3, 4, 3, 4, 1, 1, 2, 2];
        let merged = [1, 1, 1, 1, 1, 1, 2, 2];
        assert_eq!(foreground_ari(&split_background, &truth), Some(1.0));
        assert_eq!(foreground_ari(&merged, &truth), Some(1.0));
        assert!(adjusted_rand_index(&split_background, &truth) < 1.0);
        // One object alone cannot be scored.
        assert_eq!(foreground_ari(&[0, 1, 1], &[0, 1, 1]), None);
    }

    #[test]
    fn ari_on_hand_made_masks() {
        let mask = [0, 0, 1, 1, 2, 2];
        assert!(
            (adjusted_rand_index(&mask, &[5, 5, 3, 3, 0, 0]) - 1.0).abs() < 1e-12,
            "relabelling"
        );
        assert!(
            (adjusted_rand_index(&mask, &[0, 0, 0, 0, 0, 0])).abs() < 1e-12,
            "one cluster"
        );
        // Worked example: sklearn's adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714...
        assert!((adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 0.571_428_571_4).abs() < 1e-9);
        assert!(adjusted_rand_index(&mask, &[0, 1, 0, 1, 0, 1]) < 0.0);
    }
}
