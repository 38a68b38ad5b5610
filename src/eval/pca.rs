//! 2-D PCA of representations, for the embedding view.

/// Projects `n` rows of `dim` floats on their top two principal components (power iteration
/// with deflation on the covariance; deterministic start vectors).
pub fn pca_2d(x: &[f32], dim: usize) -> Vec<[f32; 2]> {
    let n = x.len() / dim;
    if n == 0 || dim == 0 {
        return Vec::new();
    }
    let mut mean = vec![0.0f64; dim];
    for row in x.chunks(dim) {
        row.iter()
            .zip(&mut mean)
            .for_each(|(v, m)| *m += *v as f64 / n as f64);
    }
    let mut cov = vec![0.0f64; dim * dim];
    for row in x.chunks(dim) {
        let c: Vec<f64> = row.iter().zip(&mean).map(|(v, m)| *v as f64 - m).collect();
        for i in 0..dim {
            for j in 0..dim {
                cov[i * dim + j] += c[i] * c[j];
            }
        }
    }
    let mut components: Vec<Vec<f64>> = Vec::new();
    for k in 0..2 {
        let mut v: Vec<f64> = (0..dim)
            .map(|i| 1.0 + ((i * 7 + k * 3) % 11) as f64 / 11.0)
            .collect();
        for _ in 0..100 {
            let mut w: Vec<f64> = (0..dim)
                .map(|i| (0..dim).map(|j| cov[i * dim + j] * v[j]).sum())
                .collect();
            for u in &components {
                let d: f64 = u.iter().zip(&w).map(|(a, b)| a * b).sum();
                w.iter_mut().zip(u).for_each(|(x, y)| *x -= d * y);
            }
            let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm < 1e-12 {
                break;
            }
            v = w.into_iter().map(|x| x / norm).collect();
        }
        components.push(v);
    }
    x.chunks(dim)
        .map(|row| {
            let p = |u: &[f64]| {
                row.iter()
                    .zip(&mean)
                    .zip(u)
                    .map(|((v, m), c)| (*v as f64 - m) * c)
                    .sum::<f64>() as f32
            };
            [p(&components[0]), p(&components[1])]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_direction_of_largest_spread() {
        // Points along (1, 1, 0) with small noise in z: the first component is that line.
        let x: Vec<f32> = (0..50)
            .flat_map(|i| {
                let t = i as f32 - 25.0;
                [t, t, (i % 3) as f32 * 0.1]
            })
            .collect();
        let p = pca_2d(&x, 3);
        let spread0 = p.iter().map(|q| q[0].abs()).fold(0.0, f32::max);
        let spread1 = p.iter().map(|q| q[1].abs()).fold(0.0, f32::max);
        assert!(spread0 > 30.0 && spread1 < 1.0, "{spread0} {spread1}");
    }
}
